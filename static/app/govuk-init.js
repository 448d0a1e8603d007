// Runs first thing in <body>: tells GOV.UK Frontend's CSS that JavaScript works here.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
