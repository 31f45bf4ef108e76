// Save a file from the page: a Blob behind an <a download> that is clicked once.
// (Works in JupyterLab and Notebook 7, whose outputs are not sandboxed, and in the
// standalone page, whose Content-Security-Policy allows blob: URLs.)

export function downloadBlob(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement("a");
  a.href = url;
  a.download = filename;
  a.rel = "noopener";
  a.style.display = "none";
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadText(text: string, filename: string, mime: string, doc: Document = document): void {
  downloadBlob(new Blob([text], { type: mime }), filename, doc);
}
