// Starts GOV.UK Frontend's components (Exit this page, character counts, error summary...).
import { initAll } from "./govuk-frontend.min.js";

initAll();
