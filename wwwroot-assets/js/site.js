// Progressive enhancement only: every page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) {
    return;
  }
  // Forms marked data-confirm ask before submitting (the server keeps its own confirmation step where it matters).
  if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  // Long server work (e.g. validating a large upload): say so and prevent a double submit.
  if (form.dataset.busy) {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    var note = document.createElement("p");
    note.className = "busy-note";
    note.setAttribute("role", "status");
    note.textContent = form.dataset.busy;
    form.appendChild(note);
  }
});

// The reconnect panel's "Reload the page" button (inline handlers are not allowed by the content security policy).
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-reload]")) {
    window.location.reload();
  }
});
