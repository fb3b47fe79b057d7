// Once django-otp-webauthn's script has registered a passkey, load the page that confirms it
// (and shows recovery codes after a first factor). The page names it in data-after-register.
document.addEventListener("otp_webauthn.register_complete", function () {
  var area = document.querySelector("[data-after-register]");
  if (area) {
    window.location.assign(area.getAttribute("data-after-register"));
  }
});
