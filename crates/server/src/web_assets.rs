//! Serves the browser UI from `web/`, embedded in the binary so sift runs from one file.
//! Any GET that is not an API route and names no asset gets `index.html` (the UI routes itself).

use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/"]
struct Assets;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(serve));
}

async fn serve(req: HttpRequest) -> HttpResponse {
    let path = req.path().trim_start_matches('/');
    if path.starts_with("api/") || req.method() != actix_web::http::Method::GET {
        return crate::error::ApiError::not_found("such endpoint").into_response();
    }
    let (file, name) = match Assets::get(path) {
        Some(f) if !path.is_empty() => (f, path.to_owned()),
        _ => match Assets::get("index.html") {
            Some(f) => (f, "index.html".to_owned()),
            None => return HttpResponse::NotFound().finish(),
        },
    };
    let mime = mime_guess::from_path(&name).first_or_octet_stream();
    let cache = if name == "index.html" { "no-cache" } else { "public, max-age=300" };
    HttpResponse::Ok()
        .content_type(mime.as_ref())
        .insert_header(("Cache-Control", cache))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ))
        .body(file.data.into_owned())
}
