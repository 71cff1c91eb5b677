//! What the Dashboard API says of an application: its kind, and the locations it is
//! associated with, read from XML.
//!
//! An application carries the codes: a voice application places the calls, a messaging
//! application sends the texts. One of the wrong kind refuses every send; a messaging
//! application associated with no location takes every message and delivers none. The
//! answers are untrusted XML, read by `roxmltree` (no DTD, so no entity expansion) and
//! only for the few elements named here; every other element is ignored.

use crate::answer::Expected;
use crate::error::{Delivery, Error};
use crate::request::Call;
use crate::transport::Response;

/// The `ServiceType` of a voice application.
const VOICE: &str = "Voice-V2";
/// The `ServiceType` of a messaging application.
const MESSAGING: &str = "Messaging-V2";

/// An application, as the Dashboard API describes it. The strings are the API's own,
/// untrusted: show them escaped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Application {
    /// `Voice-V2`, `Messaging-V2`, or a kind added since.
    pub service_type: String,
    /// The name it was given (`AppName`), if any.
    pub name: Option<String>,
}

impl Application {
    /// Whether it can place the calls that speak a code.
    pub fn is_voice(&self) -> bool {
        self.service_type == VOICE
    }

    /// Whether it can send the text messages that carry a code.
    pub fn is_messaging(&self) -> bool {
        self.service_type == MESSAGING
    }
}

/// A location (a SIP peer, in the Dashboard API's words) an application is associated
/// with, and the sub-account (site) it belongs to. The strings are the API's own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Location {
    /// Its id (`PeerId`).
    pub id: Option<String>,
    /// Its name (`PeerName`).
    pub name: Option<String>,
    /// Its sub-account's id (`SiteId`).
    pub site_id: Option<String>,
}

/// The application from an answer to `GET .../applications/{id}`:
/// `<ApplicationProvisioningResponse><Application><ServiceType>`.
pub(crate) fn application(response: &Response) -> Result<Application, Error> {
    let expected = Expected {
        call: Call::Application,
        what: "an element Application with a ServiceType",
    };
    let document = parsed(&expected, response)?;
    let application = document
        .root_element()
        .children()
        .find(|node| node.has_tag_name("Application"));
    let service_type = application.and_then(|node| text_of(node, "ServiceType"));
    match (application, service_type) {
        (Some(application), Some(service_type)) => Ok(Application {
            service_type,
            name: text_of(application, "AppName"),
        }),
        _ => Err(missing(&expected, response)),
    }
}

/// The locations from an answer to `GET .../applications/{id}/associatedsippeers`:
/// each `AssociatedSipPeer` under `<AssociatedSipPeersResponse>`, none when it lists
/// none.
pub(crate) fn locations(response: &Response) -> Result<Vec<Location>, Error> {
    let expected = Expected {
        call: Call::ApplicationLocations,
        what: "a root element AssociatedSipPeersResponse",
    };
    let document = parsed(&expected, response)?;
    let root = document.root_element();
    if !root.has_tag_name("AssociatedSipPeersResponse") {
        return Err(missing(&expected, response));
    }
    Ok(root
        .descendants()
        .filter(|node| node.has_tag_name("AssociatedSipPeer"))
        .map(|peer| Location {
            id: text_of(peer, "PeerId"),
            name: text_of(peer, "PeerName"),
            site_id: text_of(peer, "SiteId"),
        })
        .collect())
}

/// The XML document of a 2xx answer, or the error the answer amounts to.
fn parsed<'a>(
    expected: &Expected,
    response: &'a Response,
) -> Result<roxmltree::Document<'a>, Error> {
    expected.success(response)?;
    roxmltree::Document::parse(&response.body).map_err(|_| {
        // Not the API's kind of answer at all: a gateway's page, say.
        expected.unexpected(response, Delivery::MaybeSent, &expected.expecting("XML"))
    })
}

/// The error for XML from the API without what it should hold.
fn missing(expected: &Expected, response: &Response) -> Error {
    expected.unexpected(response, Delivery::Sent, &expected.expecting("XML"))
}

/// The trimmed text of `node`'s first child element called `name`, if it has any.
fn text_of(node: roxmltree::Node, name: &str) -> Option<String> {
    let child = node.children().find(|child| child.has_tag_name(name))?;
    let text: String = child
        .children()
        .filter_map(|part| part.text())
        .collect::<String>()
        .trim()
        .to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            cut: false,
            decoded: None,
        }
    }

    #[test]
    fn an_application_is_read_whatever_else_it_holds() {
        let body = "<?xml version=\"1.0\"?>\n<ApplicationProvisioningResponse><Application>\
                    <ApplicationId>a-1</ApplicationId><ServiceType> Voice-V2 </ServiceType>\
                    <AppName>Codes &amp; more</AppName><Unknown>x</Unknown></Application>\
                    </ApplicationProvisioningResponse>";
        let voice = application(&answer(200, body)).unwrap();
        assert_eq!(voice.service_type, "Voice-V2");
        assert_eq!(voice.name.as_deref(), Some("Codes & more"));
        assert!(voice.is_voice() && !voice.is_messaging());
        let body = "<ApplicationProvisioningResponse><Application><ServiceType>Messaging-V2\
                    </ServiceType></Application></ApplicationProvisioningResponse>";
        let messaging = application(&answer(200, body)).unwrap();
        assert!(messaging.is_messaging() && !messaging.is_voice());
        assert_eq!(messaging.name, None);
    }

    #[test]
    fn locations_are_each_associated_peer_and_none_is_an_empty_list() {
        let body = "<AssociatedSipPeersResponse><AssociatedSipPeers>\
                    <AssociatedSipPeer><SiteId>1</SiteId><PeerId>10</PeerId>\
                    <PeerName>Main</PeerName></AssociatedSipPeer>\
                    <AssociatedSipPeer><SiteId>2</SiteId><PeerId>20</PeerId></AssociatedSipPeer>\
                    </AssociatedSipPeers></AssociatedSipPeersResponse>";
        let found = locations(&answer(200, body)).unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].id.as_deref(), Some("10"));
        assert_eq!(found[0].name.as_deref(), Some("Main"));
        assert_eq!(found[1].site_id.as_deref(), Some("2"));
        assert_eq!(found[1].name, None);
        for none in [
            "<AssociatedSipPeersResponse/>",
            "<AssociatedSipPeersResponse><AssociatedSipPeers/></AssociatedSipPeersResponse>",
        ] {
            assert_eq!(locations(&answer(200, none)).unwrap(), Vec::new(), "{none}");
        }
    }

    #[test]
    fn an_answer_that_is_not_the_apis_xml_is_unexpected_and_asked_nothing_of_the_code() {
        let billion_laughs = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaa\">\
                              <!ENTITY b \"&a;&a;&a;&a;\">]><AssociatedSipPeersResponse>&b;\
                              </AssociatedSipPeersResponse>";
        for (body, reads) in [
            ("<html><body>Bad gateway</body></html>", "expected XML with"),
            ("{\"json\": true}", "expected XML with"),
            ("<ApplicationProvisioningResponse/>", "expected XML with"),
            (
                "<ApplicationProvisioningResponse><Application/></ApplicationProvisioningResponse>",
                "expected XML with",
            ),
            ("<Unclosed>", "expected XML with"),
            (billion_laughs, "expected XML with"),
        ] {
            let error = application(&answer(200, body)).unwrap_err();
            let shown = error.to_string();
            assert!(shown.contains(reads), "{body}: {shown}");
            assert!(shown.contains("it only asked: no code was sent"), "{shown}");
            let error = locations(&answer(200, body)).unwrap_err();
            assert!(error.to_string().contains(reads), "{body}: {error}");
        }
    }

    #[test]
    fn a_refusal_keeps_its_status() {
        let xml = "<ApplicationProvisioningResponse><ResponseStatus><ErrorCode>12345\
                   </ErrorCode><Description>No access</Description></ResponseStatus>\
                   </ApplicationProvisioningResponse>";
        for status in [401, 403, 404] {
            assert_eq!(
                application(&answer(status, xml)).unwrap_err().status(),
                Some(status)
            );
            assert_eq!(
                locations(&answer(status, xml)).unwrap_err().status(),
                Some(status)
            );
        }
    }
}
