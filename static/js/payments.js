/* Stripe's Payment Element on the pay page (confirmPayment) and the add-a-card page (confirmSetup).
   Stripe sends the brand back to data-return-url, where the page waits for the webhook's word. */
(function () {
  "use strict";
  var form = document.querySelector("[data-stripe-form]");
  if (!form) return;
  var button = form.querySelector("button[type=submit]");
  var errorBox = form.querySelector("[data-stripe-error]");
  var loading = form.querySelector("[data-stripe-loading]");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  if (typeof window.Stripe !== "function") {
    if (loading) loading.remove();
    showError("The secure card form could not load from Stripe. Check your connection or ad blocker, then reload the page.");
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret, appearance: { theme: "stripe", variables: { colorPrimary: "#6d28d9" } } });
  var element = elements.create("payment");
  element.on("ready", function () {
    if (loading) loading.remove();
    button.disabled = false;
  });
  element.mount(form.querySelector("[data-stripe-element]"));

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    errorBox.hidden = true;
    var options = { elements: elements, confirmParams: { return_url: form.dataset.returnUrl } };
    var confirm = form.dataset.mode === "setup" ? stripe.confirmSetup(options) : stripe.confirmPayment(options);
    confirm.then(function (result) {
      // Only reached when confirming failed at once (otherwise Stripe redirects to the return URL).
      if (result.error) {
        showError(result.error.message || "The card was not accepted. Try again or use another card.");
        button.disabled = false;
      }
    });
  });
})();
