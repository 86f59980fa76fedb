// Passkeys (WebAuthn) for pdca: registration on the account page and the
// second step of sign-in. Loaded as a file (the Content-Security-Policy
// forbids inline script). A form with data-passkey="create" or "get"
// fetches its options (challenge kept on the server) from data-options,
// asks the browser's authenticator, puts the answer as JSON into the
// form's hidden field and submits the form.
(function () {
  "use strict";

  function toBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), b = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) b[i] = bin.charCodeAt(i);
    return b.buffer;
  }

  function toB64u(buf) {
    if (!buf) return undefined;
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function ids(list) {
    return (list || []).map(function (c) {
      var d = Object.assign({}, c);
      d.id = toBuf(c.id);
      return d;
    });
  }

  function create(pk) {
    pk.challenge = toBuf(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: toBuf(pk.user.id) });
    pk.excludeCredentials = ids(pk.excludeCredentials);
    return navigator.credentials.create({ publicKey: pk }).then(function (c) {
      return {
        id: c.id, rawId: toB64u(c.rawId), type: c.type,
        authenticatorAttachment: c.authenticatorAttachment || undefined,
        clientExtensionResults: c.getClientExtensionResults(),
        response: {
          clientDataJSON: toB64u(c.response.clientDataJSON),
          attestationObject: toB64u(c.response.attestationObject),
          transports: c.response.getTransports ? c.response.getTransports() : []
        }
      };
    });
  }

  function get(pk) {
    pk.challenge = toBuf(pk.challenge);
    pk.allowCredentials = ids(pk.allowCredentials);
    return navigator.credentials.get({ publicKey: pk }).then(function (c) {
      return {
        id: c.id, rawId: toB64u(c.rawId), type: c.type,
        authenticatorAttachment: c.authenticatorAttachment || undefined,
        clientExtensionResults: c.getClientExtensionResults(),
        response: {
          clientDataJSON: toB64u(c.response.clientDataJSON),
          authenticatorData: toB64u(c.response.authenticatorData),
          signature: toB64u(c.response.signature),
          userHandle: toB64u(c.response.userHandle)
        }
      };
    });
  }

  function start(form) {
    var buttons = form.querySelectorAll("[data-passkey-button]");
    buttons.forEach(function (b) { b.disabled = true; });
    var kind = form.getAttribute("data-passkey");
    var out = form.querySelector("[data-passkey-error]");
    var field = form.querySelector("[data-passkey-answer]");
    var say = function (msg) {
      if (out) { out.textContent = msg; out.hidden = false; }
      buttons.forEach(function (b) { b.disabled = false; });
    };
    if (!window.PublicKeyCredential) {
      say("This browser does not support passkeys.");
      return;
    }
    fetch(form.getAttribute("data-options"), {
      method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error || "the server refused: " + r.status);
        return j;
      });
    }).then(function (opts) {
      return kind === "create" ? create(opts.publicKey) : get(opts.publicKey);
    }).then(function (answer) {
      field.value = JSON.stringify(answer);
      form.submit();
    }).catch(function (e) {
      say("Passkey: " + (e && e.message ? e.message : e));
    });
  }

  // The buttons are disabled in the page: a form sent before this script
  // runs would carry no answer.
  function enable() {
    var ok = !!window.PublicKeyCredential;
    document.querySelectorAll("form[data-passkey]").forEach(function (form) {
      form.querySelectorAll("[data-passkey-button]").forEach(function (b) { b.disabled = !ok; });
      if (!ok) {
        var out = form.querySelector("[data-passkey-error]");
        if (out) { out.textContent = "This browser does not support passkeys."; out.hidden = false; }
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enable);
  } else {
    enable();
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-passkey")) return;
    ev.preventDefault();
    start(form);
  });
})();
