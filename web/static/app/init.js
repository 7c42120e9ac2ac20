// Starts GOV.UK Frontend's components. Pages work without it: it only adds
// enhancements such as focusing the error summary.
import { initAll } from '/static/govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}
initAll()
