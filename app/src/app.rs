//! The HTML shell, the router and the frame every page shares.

use crate::components::layout::AccountNav;
use crate::components::layout::LangSwitch;
use crate::components::layout::SkipLink;
use crate::domain::Lang;
use crate::i18n::{detect_lang, tr};
use crate::pages::{
    account::{
        confirm::ConfirmPage, overview::AccountPage, password::PasswordPage, reset::ResetPage,
        sent::SentPage, sign_in::SignInPage, sign_up::SignUpPage,
    },
    incidents::{inbox::InboxPage, new::NewReportPage, report::ReportPage},
    labels::label::LabelPage,
    lookup::{home::HomePage, profile::ProfilePage},
    not_found::NotFoundPage,
    scan::{verify::VerifyPage, ScanPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags};
use leptos_router::{
    components::{Route, Router, Routes},
    ParamSegment, SsrMode, StaticSegment,
};

/// Request header through which the server's CSP middleware hands the page its nonce.
pub const NONCE_HEADER: &str = "x-robopass-csp-nonce";

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    provide_context(lang);
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|p| p.headers.get(NONCE_HEADER).cloned())
        .and_then(|v| v.to_str().ok().map(str::to_string))
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#12355b" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = use_context::<Lang>().unwrap_or_else(detect_lang);
    provide_context(lang);
    view! {
        <Router>
            <SkipLink />
            <header class="site-header">
                <a class="brand" href="/">
                    <img src="/favicon.svg" alt="" width="28" height="28" />
                    <span>{tr(lang, "site.name")}</span>
                </a>
                <nav class="site-nav" aria-label=tr(lang, "site.nav")>
                    <a href="/scan">{tr(lang, "site.nav_scan")}</a>
                    <AccountNav />
                </nav>
                <LangSwitch />
            </header>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFoundPage>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("r"), ParamSegment("id"))
                        view=ProfilePage
                        ssr=SsrMode::Async
                    />
                    // What a label opens: lower case as links are written, upper case as
                    // labels are printed (the QR code's compact alphanumeric mode).
                    <Route
                        path=(StaticSegment("r"), ParamSegment("id"), ParamSegment("sig"))
                        view=ProfilePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("R"), ParamSegment("id"), ParamSegment("sig"))
                        view=ProfilePage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("scan") view=ScanPage />
                    <Route path=StaticSegment("api") view=crate::pages::api_guide::ApiGuidePage />
                    <Route path=StaticSegment("verify") view=VerifyPage />
                    <Route path=StaticSegment("account") view=AccountPage />
                    <Route path=(StaticSegment("account"), StaticSegment("sign-in")) view=SignInPage />
                    <Route path=(StaticSegment("account"), StaticSegment("sign-up")) view=SignUpPage />
                    <Route path=(StaticSegment("account"), StaticSegment("sent")) view=SentPage />
                    <Route path=(StaticSegment("account"), StaticSegment("confirm")) view=ConfirmPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("account"), StaticSegment("password")) view=PasswordPage />
                    <Route path=(StaticSegment("account"), StaticSegment("reset")) view=ResetPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("incidents"), StaticSegment("new")) view=NewReportPage />
                    <Route path=(StaticSegment("incidents"), ParamSegment("reference")) view=ReportPage />
                    <Route path=StaticSegment("inbox") view=InboxPage />
                    <Route
                        path=(StaticSegment("filing"), ParamSegment("id"))
                        view=crate::pages::filing::FilingPage
                    />
                    <Route
                        path=(StaticSegment("orgs"), ParamSegment("org"))
                        view=crate::pages::organisation::OrganisationPage
                    />
                    <Route
                        path=(StaticSegment("provenance"), ParamSegment("id"))
                        view=crate::pages::provenance::ProvenancePage
                    />
                    <Route
                        path=(StaticSegment("v"), ParamSegment("slug"))
                        view=crate::pages::venue::VenuePage
                    />
                    <Route
                        path=(StaticSegment("v"), ParamSegment("slug"), StaticSegment("display"))
                        view=crate::pages::venue::VenueDisplay
                    />
                    <Route
                        path=(StaticSegment("v"), ParamSegment("slug"), StaticSegment("dashboard"))
                        view=crate::pages::venue_dashboard::VenueDashboardPage
                    />
                    <Route
                        path=(StaticSegment("v"), ParamSegment("slug"), StaticSegment("labels"))
                        view=crate::pages::venue_dashboard::VenueLabels
                    />
                    <Route
                        path=(StaticSegment("labels"), ParamSegment("id"))
                        view=LabelPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>{tr(lang, "site.footer_demo")}</p>
                <p>
                    {tr(lang, "site.footer_api")} " " <a href="/api">{tr(lang, "site.footer_api_link")}</a>
                </p>
            </footer>
        </Router>
    }
}
