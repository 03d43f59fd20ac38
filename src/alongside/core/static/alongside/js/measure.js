// The PHQ-9's question 9: any answer above "Not at all" shows the crisis panel at once, just below
// the questionnaire (without JavaScript, the result page shows it; either way the responders are
// told when the answers are saved, as the page says before the questionnaire starts).
document.addEventListener("change", (event) => {
  const answer = event.target.closest("[data-crisis-answer]");
  const panel = document.getElementById("crisis-now");
  if (!answer || !panel) return;
  panel.hidden = answer.dataset.crisisAnswer === "0";
  if (!panel.hidden) panel.scrollIntoView({ block: "nearest" });
});

// The page shown again with the answers kept: show the panel if the answer is already above 0.
document.addEventListener("DOMContentLoaded", () => {
  const checked = document.querySelector("[data-crisis-answer]:checked");
  const panel = document.getElementById("crisis-now");
  if (checked && panel && checked.dataset.crisisAnswer !== "0") panel.hidden = false;
});
