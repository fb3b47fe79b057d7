// The credential verification page: a credential's QR code opens this page with the signed
// credential after "#" (never sent to a server log); the script hands it to the form. A photo of
// the QR code (or the phone's camera, through the file input) is decoded here with jsQR.
(function () {
  "use strict";
  var form = document.getElementById("credential-form");
  if (!form) {
    return;
  }
  var packed = form.querySelector("input[name=packed]");
  var status = document.getElementById("credential-photo-status");

  function submitPacked(text) {
    var at = text.indexOf("#");
    packed.value = at >= 0 ? text.slice(at + 1) : text;
    form.submit();
  }

  if (window.location.hash.length > 1 && form.dataset.checked !== "true") {
    var fromAddress = window.location.hash.slice(1);
    window.history.replaceState(null, "", window.location.pathname);
    submitPacked(fromAddress);
    return;
  }

  var photo = document.getElementById("credential-photo");
  if (!photo) {
    return;
  }
  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    if (!file) {
      return;
    }
    status.textContent = "Reading the QR code…";
    createImageBitmap(file).then(function (bitmap) {
      var canvas = document.createElement("canvas");
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      var context = canvas.getContext("2d");
      context.drawImage(bitmap, 0, 0);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height);
      if (!code) {
        status.textContent = "No QR code was found in this picture: take it again, closer and straight on.";
        return;
      }
      status.textContent = "QR code read: checking the credential…";
      submitPacked(code.data);
    }).catch(function () {
      status.textContent = "This file is not a picture the browser can read.";
    });
  });
})();
