//! A person at the console over plain HTTP: signs in with the form, keeps the cookies, and
//! sends the CSRF token with each form the way the pages do.

use std::collections::BTreeMap;

pub struct Page {
    pub status: u16,
    pub location: String,
    pub body: String,
}

pub struct Session {
    base: String,
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
}

impl Session {
    pub fn new(base: &str) -> Session {
        Session {
            base: base.to_string(),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .into(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&mut self, r: &mut ureq::http::Response<ureq::Body>) -> Page {
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        Page {
            status: r.status().as_u16(),
            location: r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default(),
            body: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    pub fn get(&mut self, path: &str) -> Page {
        let mut r = self
            .agent
            .get(&format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .call()
            .unwrap();
        self.keep(&mut r)
    }

    /// Posts a URL-encoded form as given (no token added).
    pub fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut r = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("Cookie", self.cookie_header())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .unwrap();
        self.keep(&mut r)
    }

    /// Posts a form with the session's CSRF token, read from the page the form is on.
    pub fn post(&mut self, path: &str, from_page: &str, fields: &[(&str, &str)]) -> Page {
        let page = self.get(from_page);
        let token = between(&page.body, "name=\"csrf-token\" content=\"", "\"")
            .expect("the page carries the CSRF token");
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all)
    }

    /// Signs in through the form; the answer to the form's POST.
    pub fn sign_in(&mut self, user: &str, password: &str) -> Page {
        let form = self.get("/login");
        let token = between(&form.body, "name=\"token\" value=\"", "\"").unwrap();
        self.post_raw(
            "/login",
            &[
                ("username", user),
                ("password", password),
                ("token", &token),
                ("next", "/"),
            ],
        )
    }

    /// States the purpose (a case reference) the console asks before personal data.
    pub fn state_purpose(&mut self, purpose: &str) -> Page {
        self.post(
            "/purpose",
            "/purpose?next=/",
            &[("purpose", purpose), ("next", "/")],
        )
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }
}

pub fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let from = s.find(start)? + start.len();
    let len = s.get(from..)?.find(end)?;
    s.get(from..from + len).map(String::from)
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
