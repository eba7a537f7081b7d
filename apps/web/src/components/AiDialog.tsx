import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the browser's own `<dialog>`: `showModal()` makes the rest of the page inert (focus stays inside),
 * Esc closes it, and focus goes back to what had it before (the button that opened it). The first field gets focus.
 */
export function AiDialog({
  open,
  title,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      dialog.querySelector<HTMLElement>('input, textarea, select')?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  // Closed by Esc, by the close button or by the parent: tell the parent, and give focus back to the opener.
  const closed = () => {
    onClose();
    opener.current?.focus();
    opener.current = null;
  };

  return (
    <dialog ref={ref} className="ai-dialog" aria-labelledby={titleId} onClose={closed}>
      <div className="ai-dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" onClick={() => ref.current?.close()}>
          Close<span className="visually-hidden"> {title}</span>
        </button>
      </div>
      {open && children}
    </dialog>
  );
}
