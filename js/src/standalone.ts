// Entry of the standalone page's module script (built to static/standalone.js; see
// standalone/page.ts). Python's export.html embeds the built file in the page.
import { main } from "./standalone/page";

main();
