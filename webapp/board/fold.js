// A touch screen narrower than a laptop (a tablet; a phone folds by itself): the sidebar starts
// folded, once per tab, so the page is not half covered. A hand that opens it again keeps it.
export default function () {
  const narrowTouch = window.matchMedia("(pointer: coarse)").matches && window.innerWidth < 1024;
  if (!narrowTouch || sessionStorage.getItem("dl-sidebar-folded")) return;
  const fold = () => {
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (!sidebar || !button || sidebar.getBoundingClientRect().right <= 0) return false;
    button.click();
    return true;
  };
  sessionStorage.setItem("dl-sidebar-folded", "1");
  if (!fold()) setTimeout(fold, 300);
}
