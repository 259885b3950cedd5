// Shows the text that a ZIPP node returns in its UI output ({"text": [...]}) in a read-only
// box on the node: the rewrite (or the error that passed the prompt through), the persona, or
// the backend in use.
import { app } from "../../scripts/app.js";
import { ComfyWidgets } from "../../scripts/widgets.js";

const ZIPP_NODES = new Set([
    "ZippPersonaLoad",
    "ZippPersonaFromSurvey",
    "ZippLLMSettings",
    "ZippPersonaRewrite",
]);

function showText(node, text) {
    let widget = node.widgets?.find((w) => w.name === "zipp_output");
    if (!widget) {
        widget = ComfyWidgets["STRING"](node, "zipp_output", ["STRING", { multiline: true }], app).widget;
        widget.inputEl.readOnly = true;
        widget.inputEl.style.opacity = 0.8;
        widget.serialize = false; // never saved into the workflow
    }
    widget.value = text;
    requestAnimationFrame(() => {
        const size = node.computeSize();
        node.onResize?.(size);
        app.graph.setDirtyCanvas(true, false);
    });
}

app.registerExtension({
    name: "zipp.TextOutput",
    async beforeRegisterNodeDef(nodeType, nodeData) {
        if (!ZIPP_NODES.has(nodeData.name)) {
            return;
        }
        const onExecuted = nodeType.prototype.onExecuted;
        nodeType.prototype.onExecuted = function (message) {
            onExecuted?.apply(this, arguments);
            if (message?.text) {
                showText(this, message.text.join("\n"));
            }
        };
    },
});
