// Refuses a photo over the site's limit before it is uploaded: the message
// appears next to the field, nothing typed is lost and no time is spent
// sending megabytes the server would refuse. A file, not an inline script,
// because the Content Security Policy allows scripts from this site only.
// The server checks again (recipes/forms.py): this is a courtesy, not a guard.
"use strict";

// As the server says sizes (shared/errors.py: megabytes).
function megabytes(size) {
  for (const unit of [1024 * 1024, 1000 * 1000]) {
    if (size % unit === 0) return size / unit + " MB";
  }
  return (size / 1e6).toFixed(1) + " MB";
}

function showSizeError(input, message) {
  const id = input.id + "-size-error";
  let box = document.getElementById(id);
  if (input.dataset.describedBy === undefined) {
    input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
  }
  if (!message) {
    if (box) box.remove();
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    if (input.dataset.describedBy) input.setAttribute("aria-describedby", input.dataset.describedBy);
    else input.removeAttribute("aria-describedby");
    return;
  }
  if (!box) {
    box = document.createElement("div");
    box.id = id;
    box.className = "invalid-feedback";
    input.insertAdjacentElement("afterend", box);
  }
  box.textContent = message;
  input.classList.add("is-invalid");
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", id);
}

// What the server said of the photo last sent (its type, say) is about a file
// the reader has just replaced: it goes, so two messages never disagree.
function clearServerError(input) {
  const box = document.getElementById(input.id + "-error");
  if (!box) return;
  box.remove();
  input.dataset.describedBy = ""; // it described the field with that message
  input.classList.remove("is-invalid");
  input.removeAttribute("aria-invalid");
  input.removeAttribute("aria-describedby");
  // Its line in the summary at the top of the form (shared/templates/_form.html)
  // goes too, and the summary with it when it listed nothing else.
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return;
  for (const link of summary.querySelectorAll(`a[href="#${input.id}"]`)) link.closest("li").remove();
  if (summary.querySelector("li")) return;
  if ("fieldsOnly" in summary.dataset) summary.remove();
  else summary.querySelector("ul")?.remove(); // the form's own error stays
}

document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[type=file][data-max-bytes]")) {
    const limit = Number(input.dataset.maxBytes);
    const fits = () => {
      const file = input.files[0];
      const tooLarge = Boolean(file) && file.size > limit;
      showSizeError(
        input,
        tooLarge
          ? `This photo is ${megabytes(file.size)}; photos can be up to ${megabytes(limit)}. ` +
              "Choose a smaller one (your phone's share menu can usually send a smaller copy)."
          : null,
      );
      return !tooLarge;
    };
    input.addEventListener("change", () => {
      clearServerError(input);
      fits();
    });
    input.form.addEventListener("submit", (event) => {
      if (!fits()) {
        event.preventDefault();
        input.focus();
      }
    });
  }
});
