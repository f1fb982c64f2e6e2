// The library's search form: once a sector is chosen, the professional-domain list shows only that sector's
// domains. Without this script every domain stays in the list (grouped by sector) and the server reports a domain
// that does not belong to the chosen sector.
(function () {
  "use strict";
  const sector = document.getElementById("id_sector");
  const domain = document.getElementById("id_domain");
  if (!sector || !domain) return;
  const template = domain.cloneNode(true);

  function filter() {
    const chosen = sector.value;
    const previous = domain.value;
    domain.replaceChildren(...Array.from(template.children).map((node) => node.cloneNode(true)));
    if (chosen) {
      domain.querySelectorAll("optgroup").forEach((group) => {
        const first = group.querySelector("option");
        if (!first || first.value.charAt(0) !== chosen) group.remove();
      });
    }
    domain.value = domain.querySelector(`option[value="${CSS.escape(previous)}"]`) ? previous : "";
  }

  sector.addEventListener("change", filter);
  if (sector.value) filter();
})();
