// Progressive enhancement only: every page works without this file.
// Forms marked data-confirm ask before submitting (the server still requires its own confirmation step where it matters).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
