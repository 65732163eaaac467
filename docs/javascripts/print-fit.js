// Record each Mermaid chart's height-to-width ratio on its container, so that the
// print stylesheet can shrink a tall chart to fit one page (reviewer.css). The chart
// itself is drawn in a closed shadow root; its container's box is all we need.
(function () {
  "use strict";
  function record(entries) {
    entries.forEach(function (entry) {
      var box = entry.target.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) {
        entry.target.style.setProperty("--chart-ratio", String(box.height / box.width));
      }
    });
  }
  var observer = new ResizeObserver(record);
  function watch() {
    document.querySelectorAll("div.mermaid").forEach(function (chart) {
      observer.observe(chart);
    });
  }
  new MutationObserver(watch).observe(document.body, { childList: true, subtree: true });
  watch();
})();
