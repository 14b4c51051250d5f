//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` declarations and the
//! request and answer types of `wire.rs`; who may call each operation and the refusals that
//! follow from it (401, 403, 400 without a purpose) come from the route table, the one place
//! that decides them. A test holds the document and the table to the same routes.

use std::sync::OnceLock;

use utoipa::OpenApi;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder, SecurityRequirement};

use crate::access::{Access, Face};
use crate::wire::{CriterionAction, ErrorBody};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Passage",
        description = "Every route but /health, /ready, /api/openapi.json and the carriers' \
            POST /api/v1/messages needs a bearer token (`passage users token NAME`) or a console \
            session, and a role: personal data (manifests, bookings, raw messages, hits) is for \
            analysts and supervisors, data quality also for carrier liaison and administrators, \
            the audit for the data protection officer. Every route that opens personal data \
            needs X-Passage-Purpose: the purpose or case reference recorded with each read; \
            without it the answer is 400 purpose_required. Bearer tokens expire (90 days by \
            default) and can be revoked one by one; a user sees and decides only the hits of \
            their agency's lists and of the unit's own. Errors are `{error: {code, message}}` \
            with a stable code."
    ),
    paths(
        crate::api::health,
        crate::api::ready,
        crate::api::metrics,
        crate::api::openapi,
        crate::api::receive,
        crate::api::receipt,
        crate::api::messages,
        crate::api::message,
        crate::api::message_raw,
        crate::api::flights,
        crate::api::flight,
        crate::api::manifest,
        crate::api::bookings,
        crate::api::trips,
        crate::api::carriers,
        crate::api::scorecard,
        crate::api::audit_verify,
        crate::hits::hits,
        crate::hits::hit,
        crate::hits::review,
        crate::hits::lists,
        crate::hits::import,
        crate::criteria::list,
        crate::criteria::create,
        crate::criteria::check,
        crate::criteria::backtest,
        crate::criteria::version,
        crate::criteria::stats,
        crate::criteria::act,
        crate::criteria::hits,
        crate::criteria::hit,
        crate::criteria::review,
    ),
    components(schemas(ErrorBody, CriterionAction))
)]
struct Doc;

/// The document, built once.
pub(crate) fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(build)
}

/// The names of the security schemes.
const BEARER: &str = "bearer";
const PURPOSE: &str = "purpose";
const CARRIER: &str = "carrier";

fn build() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A user's token (`passage users token NAME`); a console session cookie \
                     works too",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        PURPOSE,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            "X-Passage-Purpose",
            "The purpose or case reference of a read of personal data, recorded in the audit",
        ))),
    );
    components.add_security_scheme(
        CARRIER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "A carrier's credential, from the unit's carriers file",
                ))
                .build(),
        ),
    );
    for route in crate::table() {
        let info = route.info;
        if info.face != Face::Api {
            continue;
        }
        let Some(op) = operation(&mut doc, info.path, &info.method) else {
            // The route-table test names what is missing; the document stays servable.
            continue;
        };
        let guarded = matches!(info.access, Access::Roles(_) | Access::SignedIn);
        match info.access {
            Access::Public => op.security = Some(vec![SecurityRequirement::default()]),
            Access::Carrier => {
                op.security = Some(vec![SecurityRequirement::new(
                    CARRIER,
                    Vec::<String>::new(),
                )])
            }
            Access::Roles(_) | Access::SignedIn => {
                let mut needs = vec![BEARER];
                if info.purpose {
                    needs.push(PURPOSE);
                }
                op.security = Some(vec![both(&needs)]);
            }
        }
        if let Access::Roles(roles) = info.access {
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            let note = format!("Roles: {}.", names.join(", "));
            op.description = Some(match op.description.take() {
                Some(d) => format!("{d}\n\n{note}"),
                None => note,
            });
        }
        let unsafe_method = info.method != axum::http::Method::GET;
        let has_path_params = info.path.contains('{');
        let mut errors: Vec<(&str, &str)> = Vec::new();
        if guarded {
            errors.push(("401", "No session or bearer token, or one that ended"));
            errors.push((
                "403",
                "A role this route does not admit, or (for a session) no CSRF token",
            ));
        }
        if info.purpose {
            errors.push(("400", "No X-Passage-Purpose, or a parameter not understood"));
        } else if info.access != Access::Public || has_path_params {
            errors.push(("400", "A parameter not understood"));
        }
        if has_path_params {
            errors.push(("404", "No such thing (or not one of the user's agency)"));
        }
        if unsafe_method {
            errors.push(("409", "A write that conflicts with what is stored"));
            errors.push(("413", "A body larger than the limit"));
            errors.push(("415", "A body of another media type"));
            errors.push((
                "422",
                "A body that does not read as the declared type, or a value refused",
            ));
        }
        if info.access != Access::Public {
            errors.push((
                "500",
                "Stored data that does not read back (a defect, logged)",
            ));
            errors.push(("503", "The store could not answer; try again"));
        }
        for (status, description) in errors {
            if !op.responses.responses.contains_key(status) {
                op.responses.responses.insert(
                    status.to_string(),
                    RefOr::T(
                        ResponseBuilder::new()
                            .description(description)
                            .content(
                                "application/json",
                                ContentBuilder::new()
                                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                                    .build(),
                            )
                            .build(),
                    ),
                );
            }
        }
        if let Some(RefOr::T(body)) = op.request_body.as_mut()
            && unsafe_method
            && body.required.is_none()
        {
            body.required = Some(Required::True);
        }
    }
    doc
}

/// One requirement naming several schemes: all of them at once.
fn both(names: &[&str]) -> SecurityRequirement {
    let mut value = serde_json::Map::new();
    for n in names {
        value.insert((*n).to_string(), serde_json::Value::Array(Vec::new()));
    }
    serde_json::from_value(serde_json::Value::Object(value)).unwrap_or_else(|e| {
        invariant::never!("a security requirement does not read back: {e}");
        SecurityRequirement::new(BEARER, Vec::<String>::new())
    })
}

fn operation<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    path: &str,
    method: &axum::http::Method,
) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    let method = http_method(method)?;
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Head => item.head.as_mut(),
        HttpMethod::Options => item.options.as_mut(),
        HttpMethod::Trace => item.trace.as_mut(),
    }
}

fn http_method(m: &axum::http::Method) -> Option<HttpMethod> {
    use axum::http::Method;
    Some(match *m {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::DELETE => HttpMethod::Delete,
        Method::PATCH => HttpMethod::Patch,
        Method::HEAD => HttpMethod::Head,
        Method::OPTIONS => HttpMethod::Options,
        Method::TRACE => HttpMethod::Trace,
        _ => return None,
    })
}

/// Every (method, path) the document declares, for the route-table test.
pub fn operations() -> Vec<(axum::http::Method, String)> {
    use axum::http::Method;
    let mut out = Vec::new();
    for (path, item) in &document().paths.paths {
        for (m, op) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
            (Method::HEAD, &item.head),
            (Method::OPTIONS, &item.options),
            (Method::TRACE, &item.trace),
        ] {
            if op.is_some() {
                out.push((m, path.clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of an enum schema of the document.
    fn names(schema: &str) -> Vec<String> {
        let doc = serde_json::to_value(document()).unwrap();
        doc["components"]["schemas"][schema]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    /// The schema-only mirrors of other crates' enums say what the handlers accept.
    #[test]
    fn mirrored_enums_are_what_the_handlers_accept() {
        let dispositions = names("Disposition");
        assert_eq!(dispositions.len(), 3);
        for d in dispositions {
            let parsed: store::Disposition = serde_json::from_value(serde_json::json!(d)).unwrap();
            assert_eq!(parsed.as_str(), d);
        }
        let actions = names("CriterionAction");
        assert_eq!(actions.len(), 6);
        for a in actions {
            assert!(crate::criteria::parse_action(&a).is_some(), "{a}");
        }
    }
}
