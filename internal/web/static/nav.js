// The menus of the header are <details> disclosures and work without this
// script. It only adds what people expect of a menu: Escape closes it and
// returns to its button, and a click elsewhere closes it.
(function () {
  'use strict';
  var menus = '.top .group[open], .top .switcher[open]';
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    document.querySelectorAll(menus).forEach(function (d) {
      d.open = false;
      if (d.contains(document.activeElement)) d.querySelector('summary').focus();
    });
  });
  document.addEventListener('click', function (e) {
    document.querySelectorAll(menus).forEach(function (d) {
      if (!d.contains(e.target)) d.open = false;
    });
  });
})();
