// Opening a report page in a real browser: headless Chromium (Debian's `chromium`, installed by
// scripts/setup) loads a copy of the page with a checking script at the top of its <head>, and
// reports what a reader would meet: images that did not load (naturalWidth 0), a page wider
// than the window (document.documentElement.scrollWidth > innerWidth), and errors (script
// errors, failed resources, console.error calls). The same browser takes the page's screenshot.
//
// Chromium runs as `chromium --headless --no-sandbox --disable-gpu --hide-scrollbars
// --user-data-dir=TMP --virtual-time-budget=10000 --window-size=W,H (--dump-dom | --screenshot=PNG)
// file://PAGE`; --virtual-time-budget lets the page's load handler run before the DOM is printed.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ablate {

// The Chromium executable: $ABLATE_CHROMIUM, else chromium, chromium-browser or google-chrome on
// PATH; nullopt when there is none.
std::optional<std::string> find_chromium();

struct PageCheck {
  int images = 0;                    // <img> elements on the page
  std::vector<std::string> broken;   // the src of each image that did not load
  int scroll_width = 0, inner_width = 0, scroll_height = 0;
  std::vector<std::string> errors;   // script errors, failed resources, console.error messages
  bool fits() const { return scroll_width <= inner_width; }
  bool ok() const { return broken.empty() && fits() && errors.empty(); }
  std::string summary() const;       // what failed, one clause each ("" when ok)
};

// Loads `page` (an HTML file) in a window `width` x `height` pixels. std::runtime_error when
// Chromium does not run or prints no result.
PageCheck check_page(const std::string& chromium, const std::string& page, int width = 1280, int height = 900);

// Writes the whole page, `width` pixels wide, as a PNG (the window as tall as the page, at most
// 16384 pixels). std::runtime_error when Chromium writes no image.
void screenshot_page(const std::string& chromium, const std::string& page, const std::string& png, int width = 1280);

}  // namespace ablate
