// Starts GOV.UK Frontend's components. Pages work without it: it only adds
// enhancements such as focusing the error summary and counting characters.
// The page names the GOV.UK Frontend file, with its version, on the script
// element, so that a new release is never paired with a cached old one.
const script = document.querySelector('script[data-govuk-frontend]')

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
import(script.dataset.govukFrontend).then(({ initAll }) => initAll())
