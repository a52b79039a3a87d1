// The report's HTML and Markdown documents (see document.h).
#include "reports/document.h"

#include <cstring>

namespace ablate {
namespace {

std::string fill_placeholder(std::string page, const std::string& placeholder, const std::string& value) {
  for (size_t at = page.find(placeholder); at != std::string::npos; at = page.find(placeholder, at + value.size()))
    page.replace(at, placeholder.size(), value);
  return page;
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string markdown_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (std::strchr("\\|*`<>", c)) o += '\\';
    o += (c == '\n' ? ' ' : c);
  }
  return o;
}

void Document::heading(int level, const std::string& text) {
  html_ += "<h" + std::to_string(level) + ">" + html_escape(text) + "</h" + std::to_string(level) + ">\n";
  md_ += std::string(static_cast<size_t>(level), '#') + " " + markdown_escape(text) + "\n\n";
}

void Document::paragraph(const std::string& text) {
  html_ += "<p>" + html_escape(text) + "</p>\n";
  md_ += markdown_escape(text) + "\n\n";
}

void Document::code(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  html_ += "<pre><code>" + html_escape(text) + "</code></pre>\n";
  md_ += "```\n" + text + "```\n\n";
}

void Document::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                     size_t text_columns) {
  // Its own scrolling box: a wide table scrolls inside it instead of widening the page.
  html_ += "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (size_t c = 0; c < header.size(); ++c)
    html_ += (c >= text_columns ? "<th class=\"num\">" : "<th>") + html_escape(header[c]) + "</th>";
  html_ += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    html_ += "<tr>";
    for (size_t c = 0; c < row.size(); ++c)
      html_ += (c >= text_columns ? "<td class=\"num\">" : "<td>") + html_escape(row[c]) + "</td>";
    html_ += "</tr>\n";
  }
  html_ += "</tbody>\n</table></div>\n";
  md_ += "|";
  for (const auto& h : header) md_ += " " + markdown_escape(h) + " |";
  md_ += "\n|";
  for (size_t c = 0; c < header.size(); ++c) md_ += c >= text_columns ? " ---: |" : " --- |";
  md_ += "\n";
  for (const auto& row : rows) {
    md_ += "|";
    for (const auto& cell : row) md_ += " " + markdown_escape(cell) + " |";
    md_ += "\n";
  }
  md_ += "\n";
}

void Document::plot(const std::string& name, const std::string& title) {
  const std::string png = "plots/" + name + ".png", svg = "plots/" + name + ".svg", dat = "data/" + name + ".dat";
  html_ += "<figure>\n<a href=\"" + svg + "\"><img src=\"" + png + "\" alt=\"" + html_escape(title) +
           "\" width=\"900\" height=\"560\"></a>\n<figcaption>" + html_escape(title) + " · <a href=\"" + svg +
           "\">SVG</a> · <a href=\"" + dat + "\">data</a></figcaption>\n</figure>\n";
  md_ += "![" + markdown_escape(title) + "](" + png + ")\n\n[SVG](" + svg + ") · [data](" + dat + ")\n\n";
}

std::string strip_html_comments(std::string page) {
  for (size_t at = page.find("<!--"); at != std::string::npos; at = page.find("<!--", at)) {
    const size_t end = page.find("-->", at + 4);
    page.erase(at, end == std::string::npos ? std::string::npos : end + 3 - at);
  }
  return page;
}

std::string fill_html_template(const std::string& page_template, const std::string& title, const std::string& body) {
  return fill_placeholder(fill_placeholder(page_template, "{{title}}", html_escape(title)), "{{body}}", body);
}

}  // namespace ablate
