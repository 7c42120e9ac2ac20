// Starts GOV.UK Frontend's components. Pages work without it: it only adds
// enhancements such as focusing the error summary and counting characters.
// The page names the GOV.UK Frontend file, with its version, on the script
// element, so that a new release is never paired with a cached old one.
const script = document.querySelector('script[data-govuk-frontend]')

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
import(script.dataset.govukFrontend).then(({ initAll }) => initAll())

// A question revealed by an answer on the same page (GOV.UK's conditional
// reveal, for any question): the page carries it hidden, marked with the
// question and answers that show it, and it is shown as soon as one of
// them is chosen. The form then says so (reveal=script), so that the
// service does not bring the page back to show it. Without JavaScript the
// page comes back after Continue, opening at the question with a notice.
const reveals = [...document.querySelectorAll('[data-reveal-on]')]
const form = reveals.length > 0 && reveals[0].closest('form')
if (form) {
  const flag = document.createElement('input')
  flag.type = 'hidden'
  flag.name = 'reveal'
  flag.value = 'script'
  form.append(flag)
  const update = () => {
    // In page order, so that a question revealed by a revealed one
    // follows it: a hidden question's answers count for nothing.
    for (const el of reveals) {
      const wanted = el.dataset.revealValues.split(' ')
      const inputs = [...form.querySelectorAll('[name="' + CSS.escape(el.dataset.revealOn) + '"]')]
      const chosen = inputs
        .filter((i) => !i.closest('[data-reveal-on][hidden]'))
        .filter((i) => (i.type !== 'radio' && i.type !== 'checkbox') || i.checked)
        .map((i) => i.value)
      el.hidden = !chosen.some((v) => wanted.includes(v))
      for (const i of inputs) {
        if ((i.type === 'radio' || i.type === 'checkbox') && wanted.includes(i.value)) {
          i.setAttribute('aria-controls', el.id)
        }
      }
    }
  }
  form.addEventListener('change', update)
  update()
}
