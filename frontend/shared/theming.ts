// Keepsake's iframes follow Confluence's theme, light or dark. AP.theming.initializeTheming()
// asks the host page for its theme; all.js then sets data-color-mode and data-theme on this
// page's <html> and follows every later change (atlassian-connect-js src/plugin/theming.js).
// keepsake.css carries the light and dark token sets itself, so the colours switch without the
// token stylesheets all.js also adds from Atlassian's CDN (docs/ui.md, "Themes").
export function followConfluenceTheme(): void {
  // An all.js without theming (older or another host's) leaves the page light.
  if (typeof AP.theming?.initializeTheming === 'function') AP.theming.initializeTheming();
}
