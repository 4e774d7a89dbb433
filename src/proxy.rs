//! Which requests go through a proxy: the environment's proxies, read as
//! reqwest read them, for every host but this machine, link-local addresses
//! and the cloud metadata server. Requests to those carry credentials over
//! plain http (a local index, `--dry-run`'s own index, the metadata server's
//! tokens) and must never leave the machine, whatever `NO_PROXY` says.

/// Never proxied: loopback (`localhost` and its subdomains, RFC 6761),
/// link-local (where 169.254.169.254, every cloud's metadata server, lives)
/// and Google's metadata host, also in their IPv4-mapped and fully
/// qualified forms. In hyper-util's `NO_PROXY` syntax, which reqwest uses.
const NEVER_PROXIED: &[&str] = &[
    "localhost",
    "localhost.",
    "127.0.0.0/8",
    "::1",
    "::ffff:127.0.0.0/104",
    "169.254.0.0/16",
    "::ffff:169.254.0.0/112",
    "fe80::/10",
    "metadata.google.internal",
    "metadata.google.internal.",
];

/// The proxy variables, each the upper-case name's value if set, else the
/// lower-case one's (hyper-util's `Matcher::from_env`, which reqwest used).
/// No `Debug`: proxy URLs may carry credentials.
#[derive(Default, Clone)]
pub struct ProxyEnv {
    pub http: Option<String>,
    pub https: Option<String>,
    pub all: Option<String>,
    pub no: Option<String>,
    /// `REQUEST_METHOD` is set: a CGI script, whose `HTTP_PROXY` may come
    /// from a request header ("httpoxy"), so no proxy is used at all.
    pub cgi: bool,
}

impl ProxyEnv {
    /// From any source of variables: the process, or a test's map.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let first = |upper: &str, lower: &str| get(upper).or_else(|| get(lower));
        ProxyEnv {
            http: first("HTTP_PROXY", "http_proxy"),
            https: first("HTTPS_PROXY", "https_proxy"),
            all: first("ALL_PROXY", "all_proxy"),
            no: first("NO_PROXY", "no_proxy"),
            cgi: get("REQUEST_METHOD").is_some(),
        }
    }

    /// The process's variables, read when a client is built.
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }
}

/// The user's `NO_PROXY` list followed by `NEVER_PROXIED`.
pub fn no_proxy_list(user: Option<&str>) -> String {
    let mut list = user.unwrap_or_default().trim().to_owned();
    for entry in NEVER_PROXIED {
        if !list.is_empty() {
            list.push(',');
        }
        list.push_str(entry);
    }
    list
}

/// The client's proxies, in the order reqwest tries them: `HTTP_PROXY` for
/// http, `HTTPS_PROXY` for https, then `ALL_PROXY` for either, each with the
/// extended no-proxy list. A value reqwest cannot parse is skipped, as its
/// own reading of the environment skipped it.
pub fn proxies(env: &ProxyEnv) -> Vec<reqwest::Proxy> {
    if env.cgi {
        return Vec::new();
    }
    let no = reqwest::NoProxy::from_string(&no_proxy_list(env.no.as_deref()));
    let set = |value: &Option<String>| -> Option<String> {
        value.clone().filter(|v| !v.trim().is_empty())
    };
    [
        set(&env.http).and_then(|v| reqwest::Proxy::http(v).ok()),
        set(&env.https).and_then(|v| reqwest::Proxy::https(v).ok()),
        set(&env.all).and_then(|v| reqwest::Proxy::all(v).ok()),
    ]
    .into_iter()
    .flatten()
    .map(|proxy| proxy.no_proxy(no.clone()))
    .collect()
}

/// Replace reqwest's own reading of the environment with [`proxies`].
pub fn apply(builder: reqwest::ClientBuilder, env: &ProxyEnv) -> reqwest::ClientBuilder {
    proxies(env)
        .into_iter()
        .fold(builder.no_proxy(), reqwest::ClientBuilder::proxy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(vars: &[(&str, &str)]) -> ProxyEnv {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ProxyEnv::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn upper_case_wins_and_lower_case_is_read() {
        let e = env(&[
            ("HTTP_PROXY", "http://upper:1"),
            ("http_proxy", "http://lower:1"),
            ("https_proxy", "http://lower:2"),
            ("all_proxy", "socks5://lower:3"),
            ("no_proxy", "example.org"),
        ]);
        assert_eq!(e.http.as_deref(), Some("http://upper:1"));
        assert_eq!(e.https.as_deref(), Some("http://lower:2"));
        assert_eq!(e.all.as_deref(), Some("socks5://lower:3"));
        assert_eq!(e.no.as_deref(), Some("example.org"));
        assert!(!e.cgi);
        assert!(
            proxies(&env(&[
                ("REQUEST_METHOD", "GET"),
                ("HTTP_PROXY", "http://p:1")
            ]))
            .is_empty()
        );
    }

    #[test]
    fn local_hosts_join_the_users_list() {
        assert_eq!(
            no_proxy_list(Some(" example.org, 10.0.0.0/8 ")),
            format!("example.org, 10.0.0.0/8,{}", NEVER_PROXIED.join(","))
        );
        assert_eq!(no_proxy_list(None), NEVER_PROXIED.join(","));
        for entry in [
            "127.0.0.0/8",
            "::1",
            "169.254.0.0/16",
            "fe80::/10",
            "localhost",
        ] {
            assert!(
                no_proxy_list(None).split(',').any(|e| e == entry),
                "{entry}"
            );
        }
        assert!(
            no_proxy_list(None).contains("metadata.google.internal"),
            "the GCE metadata server by name"
        );
    }

    #[test]
    fn each_variable_becomes_a_proxy_and_blank_ones_do_not() {
        let e = env(&[
            ("HTTP_PROXY", "http://p:1"),
            ("HTTPS_PROXY", " "),
            ("ALL_PROXY", "p:3"),
        ]);
        assert_eq!(proxies(&e).len(), 2);
        assert!(proxies(&ProxyEnv::default()).is_empty());
    }

    /// A client with a proxy set never sends a request for the metadata
    /// server's name to it: the name is resolved here (to a local server).
    #[test]
    fn the_metadata_server_is_never_proxied() {
        use std::io::{Read, Write};
        let serve = || {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            // One request, or none within a deadline (so that a failing
            // test ends instead of waiting forever).
            listener.set_nonblocking(true).unwrap();
            let thread = std::thread::spawn(move || {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                let mut stream = loop {
                    match listener.accept() {
                        Ok((stream, _)) => break stream,
                        Err(_) if std::time::Instant::now() < deadline => {
                            std::thread::sleep(std::time::Duration::from_millis(10))
                        }
                        Err(_) => return None,
                    }
                };
                stream.set_nonblocking(false).unwrap();
                let mut buffer = [0u8; 4096];
                let n = stream.read(&mut buffer).unwrap();
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .unwrap();
                Some(String::from_utf8_lossy(&buffer[..n]).into_owned())
            });
            (addr, thread)
        };
        let (direct, direct_thread) = serve();
        let (proxy, proxy_thread) = serve();
        let e = env(&[
            ("HTTP_PROXY", &format!("http://{proxy}")),
            ("ALL_PROXY", &format!("http://{proxy}")),
        ]);
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = apply(
            reqwest::Client::builder().resolve("metadata.google.internal", direct),
            &e,
        )
        .build()
        .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = format!("http://metadata.google.internal:{}/token", direct.port());
        let status = runtime.block_on(async { client.get(url).send().await.unwrap().status() });
        assert_eq!(status, 200);
        assert!(
            direct_thread
                .join()
                .unwrap()
                .unwrap()
                .starts_with("GET /token ")
        );
        // The proxy, still waiting, gets the request for another name: it
        // is there, and only the local names bypass it.
        let status = runtime.block_on(async {
            client
                .get("http://index.invalid/x")
                .send()
                .await
                .unwrap()
                .status()
        });
        assert_eq!(status, 200);
        assert!(
            proxy_thread
                .join()
                .unwrap()
                .unwrap()
                .starts_with("GET http://index.invalid/x ")
        );
    }
}
