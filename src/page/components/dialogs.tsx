import { useEffect, useRef, useState } from 'preact/hooks'
import type { ComponentChildren } from 'preact'
import { translate, type Language } from '../i18n.js'

/** A modal `<dialog>`, opened as long as it is rendered; Escape or the backdrop's cancel calls `onCancel`. */
function Modal ({ id, title, onCancel, children }: { id: string; title: string; onCancel: () => void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog ref={ref} id={id} aria-labelledby={`${id}-title`} onCancel={(e) => { e.preventDefault(); onCancel() }}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </dialog>
  )
}

/** Asks for the API key once; `error` says why the last one was refused. */
export function KeyDialog ({ language, error, onSubmit }: { language: Language; error: string | null; onSubmit: (key: string) => void }) {
  const [key, setKey] = useState('')
  return (
    <Modal id='key-dialog' title={translate(language, 'key')} onCancel={() => {}}>
      <form method='dialog' onSubmit={(e) => { e.preventDefault(); if (key.trim()) onSubmit(key.trim()) }}>
        <p>{translate(language, 'keyPrompt')}</p>
        {error ? <p class='error' role='alert'>{error}</p> : null}
        <label for='api-key'>{translate(language, 'key')}</label>
        <input id='api-key' name='key' type='password' autocomplete='off' required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <div class='dialog-buttons'><button type='submit' class='primary'>{translate(language, 'keySubmit')}</button></div>
      </form>
    </Modal>
  )
}

/** What an action does and costs (the host's words), with Confirm and Cancel. */
export function ConfirmDialog ({ language, text, onConfirm, onCancel }: { language: Language; text: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Modal id='confirm-dialog' title={translate(language, 'confirm')} onCancel={onCancel}>
      <p class='confirm-text'>{text}</p>
      <div class='dialog-buttons'>
        <button type='button' class='cancel' onClick={onCancel}>{translate(language, 'cancel')}</button>
        <button type='button' class='primary confirm' onClick={onConfirm}>{translate(language, 'confirm')}</button>
      </div>
    </Modal>
  )
}
