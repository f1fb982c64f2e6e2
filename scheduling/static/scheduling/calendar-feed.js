// "Mon agenda": the copy button next to a new feed address. Without JavaScript the button stays hidden and the
// address can be selected and copied by hand.
for (const button of document.querySelectorAll("[data-copy-from]")) {
  const field = document.getElementById(button.dataset.copyFrom);
  const status = document.getElementById(`${button.dataset.copyFrom}-status`);
  if (!field || !navigator.clipboard) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = button.dataset.copiedMessage;
    } catch {
      field.select();
      status.textContent = button.dataset.failedMessage;
    }
  });
}
