// Shows why the sign-in page is here (a rejected token or an expired session); the server says so in the query.
'use strict';
(function () {
  const params = new URLSearchParams(window.location.search);
  if (params.get('error') === 'token') document.getElementById('signin-error').hidden = false;
  if (params.get('error') === 'expired') document.getElementById('signin-expired').hidden = false;
})();
