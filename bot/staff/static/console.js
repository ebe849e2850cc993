// Open a transcript at its newest message.
(function () {
  var latest = document.getElementById("latest");
  if (latest && !location.search.includes("before=")) latest.scrollIntoView();
})();
