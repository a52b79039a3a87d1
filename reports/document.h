// The report's two documents, built side by side from the same calls: the HTML body of
// index.html and report.md (GitHub-flavoured Markdown). Text is escaped for each.
#pragma once

#include <string>
#include <vector>

namespace ablate {

std::string html_escape(const std::string& s);
// Escapes what would break a Markdown table cell or start markup; '_' stays (GFM does not
// emphasise inside words), so variant names read as they are.
std::string markdown_escape(const std::string& s);

class Document {
 public:
  void heading(int level, const std::string& text);
  void paragraph(const std::string& text);
  // The first `text_columns` columns are text, the others numbers (right-aligned). In HTML the
  // table sits in a <div class="table-wrap"> (the template lets it scroll sideways).
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             size_t text_columns = 1);
  // Lines shown as they are (commands): <pre><code> in HTML, a fenced block in Markdown.
  void code(const std::vector<std::string>& lines);
  // The figure plots/NAME.png, linking plots/NAME.svg and data/NAME.dat.
  void plot(const std::string& name, const std::string& title);

  const std::string& html() const { return html_; }
  const std::string& markdown() const { return md_; }

 private:
  std::string html_, md_;
};

// The page template without its HTML comments: they are notes for whoever restyles it (and may
// name the placeholders), not part of the page.
std::string strip_html_comments(std::string page);
// The page: the template's {{title}} and {{body}} replaced by the escaped title and the body.
std::string fill_html_template(const std::string& page_template, const std::string& title, const std::string& body);

}  // namespace ablate
