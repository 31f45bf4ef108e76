// Standalone widget host for the browser tests.
//
// Plays the part of the Jupyter widget manager + anywidget front end for one
// page: it builds a model object with the API anywidget hands to a widget's
// ES module (get / set / save_changes / send / on / off / widget_manager),
// loads the module, calls its lifecycle (`initialize({model, signal,
// experimental})` once, then `render({model, el, signal, experimental})` per
// view) and bridges the model to a real Python widget through two functions
// that the Python side exposes with Playwright:
//
//   window.__jwHarnessToPython(hid, json)  JS -> Python: one comm message
//                                          ({method: "update"|"custom", ...});
//                                          answers with the JSON list of the
//                                          messages Python sent meanwhile.
//   window.__jwHarnessPoll(hid)            Python -> JS: pending messages.
//
// All traffic of one widget goes through one promise chain, so messages
// arrive in the order they were sent, both ways.
//
// Widgets a widget references ("IPY_MODEL_<id>" in its state, e.g. journeywidget's
// shared runtime) are mounted as models without views (`mountModel`); the model
// API's `widget_manager.get_model(id)` gives them, and their `set_state` applies a
// state as a kernel update does (nothing to send back).

const POLL_MS = 25;
const models = new Map(); // model id -> HarnessModel, for widget_manager.get_model

// ---------------------------------------------------------------- binary data

function isBinary(x) {
  return x instanceof ArrayBuffer || ArrayBuffer.isView(x);
}

function toBase64(buf) {
  const bytes =
    buf instanceof ArrayBuffer
      ? new Uint8Array(buf)
      : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(out);
}

function fromBase64(text) {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new DataView(bytes.buffer);
}

// Same contract as @jupyter-widgets/base remove_buffers: binary values are
// cut out of a JSON-able state and replaced by their paths.
function removeBuffers(state) {
  const paths = [];
  const buffers = [];
  function walk(value, path) {
    if (isBinary(value)) {
      paths.push(path);
      buffers.push(value);
      return null;
    }
    if (Array.isArray(value)) {
      return value.map((v, i) => walk(v, [...path, i]));
    }
    if (value && typeof value === "object" && !(value instanceof Date)) {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    return value;
  }
  const cleaned = walk(state, []);
  return { state: cleaned, buffer_paths: paths, buffers };
}

function putBuffers(state, paths, buffers) {
  paths.forEach((path, i) => {
    let obj = state;
    for (const key of path.slice(0, -1)) obj = obj[key];
    obj[path[path.length - 1]] = buffers[i];
  });
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (isBinary(a) || isBinary(b)) {
    if (!isBinary(a) || !isBinary(b)) return false;
    return toBase64(a) === toBase64(b);
  }
  if (typeof a !== "object" || typeof b !== "object" || !a || !b) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

// ---------------------------------------------------------------- the model

// Backbone-like event model, the subset anywidget exposes.
class HarnessModel {
  constructor(host, state) {
    this._host = host;
    this._attrs = { ...state };
    this._dirty = {};
    this._listeners = [];
    this.widget_manager = {
      async get_model(id) {
        for (let i = 0; i < 200 && !models.has(id); i++) await new Promise((r) => setTimeout(r, 25));
        if (!models.has(id)) throw new Error(`standalone harness: no widget model ${id} in this page`);
        return models.get(id);
      },
    };
  }

  // A state from the kernel: change events, nothing kept to send back.
  set_state(state) {
    this._applyState(state, { fromKernel: true }, false);
  }

  get(name) {
    return this._attrs[name];
  }

  set(key, value, options) {
    let attrs;
    if (key !== null && typeof key === "object") {
      attrs = key;
      options = value;
    } else {
      attrs = { [key]: value };
    }
    this._applyState(attrs, options || {}, true);
    return this;
  }

  save_changes() {
    const dirty = this._dirty;
    this._dirty = {};
    if (Object.keys(dirty).length === 0) return;
    const { state, buffer_paths, buffers } = removeBuffers(dirty);
    this._host.toPython({ method: "update", state, buffer_paths }, buffers);
  }

  send(content, callbacks, buffers) {
    this._host.toPython({ method: "custom", content }, buffers || []);
  }

  on(names, callback, context) {
    for (const name of String(names).split(/\s+/).filter(Boolean)) {
      this._listeners.push({ name, callback, context });
    }
    return this;
  }

  off(names, callback, context) {
    const wanted = names ? String(names).split(/\s+/).filter(Boolean) : null;
    this._listeners = this._listeners.filter(
      (l) =>
        !(
          (wanted === null || wanted.includes(l.name)) &&
          (callback == null || l.callback === callback) &&
          (context == null || l.context === context)
        ),
    );
    return this;
  }

  once(name, callback, context) {
    const wrapper = (...args) => {
      this.off(name, wrapper, context);
      callback.apply(context, args);
    };
    return this.on(name, wrapper, context);
  }

  trigger(name, ...args) {
    for (const l of [...this._listeners]) {
      if (l.name !== name) continue;
      try {
        l.callback.apply(l.context ?? this, args);
      } catch (err) {
        this._host.reportError(err, `listener for "${name}"`);
      }
    }
  }

  _applyState(attrs, options, markDirty) {
    const changed = [];
    for (const [k, v] of Object.entries(attrs)) {
      if (markDirty) this._dirty[k] = v;
      if (!deepEqual(this._attrs[k], v)) {
        this._attrs[k] = v;
        changed.push(k);
      }
    }
    for (const k of changed) this.trigger(`change:${k}`, this, this._attrs[k], options);
    if (changed.length) this.trigger("change", this, options);
  }

  // A message from Python (what the kernel would send on the comm).
  _receive(msg) {
    const data = msg.data;
    const buffers = (msg.buffers || []).map(fromBase64);
    if (data.method === "update") {
      const state = data.state || {};
      putBuffers(state, data.buffer_paths || [], buffers);
      this._applyState(state, { fromKernel: true }, false);
    } else if (data.method === "custom") {
      this.trigger("msg:custom", data.content, buffers);
    } else if (data.method === "echo_update") {
      // The only front end here already holds the value it sent.
    } else {
      console.warn("standalone harness: unknown message method", data.method);
    }
  }
}

// ---------------------------------------------------------------- one widget

class WidgetHost {
  constructor(hid, state) {
    this.hid = hid;
    this.model = new HarnessModel(this, state);
    this.chain = Promise.resolve();
    this.sent = 0; // messages sent to Python
    this.received = 0; // messages received from Python
    this.polling = false;
    this.closed = false;
    this.controller = new AbortController();
    this.widget = null;
    this.views = [];
    this.experimental = {
      invoke: (name, msg, options = {}) => this.invoke(name, msg, options),
    };
  }

  reportError(err, where) {
    const text = `${where}: ${err && err.stack ? err.stack : err}`;
    (window.__jwHarnessErrors ||= []).push(text);
    console.error("standalone harness:", text);
  }

  enqueue(task) {
    const next = this.chain.then(task);
    this.chain = next.catch((err) => this.reportError(err, "bridge"));
    return next;
  }

  deliver(json) {
    const msgs = JSON.parse(json);
    for (const msg of msgs) {
      this.received += 1;
      this.model._receive(msg);
    }
    return msgs.length;
  }

  toPython(data, buffers) {
    const payload = JSON.stringify({ data, buffers: (buffers || []).map(toBase64) });
    this.sent += 1;
    return this.enqueue(async () => {
      if (this.closed) return;
      this.deliver(await window.__jwHarnessToPython(this.hid, payload));
    });
  }

  poll() {
    return this.enqueue(async () => {
      if (this.closed) return 0;
      return this.deliver(await window.__jwHarnessPoll(this.hid));
    });
  }

  startPolling() {
    this.timer = setInterval(() => {
      if (this.polling || this.closed) return;
      this.polling = true;
      this.poll().finally(() => {
        this.polling = false;
      });
    }, POLL_MS);
  }

  // Wait until both directions are quiet and the browser has painted.
  async flush() {
    for (let round = 0; round < 50; round++) {
      const before = this.sent + this.received;
      await this.chain;
      await this.poll();
      await this.chain;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      await this.chain;
      if (this.sent + this.received === before) return round;
    }
    throw new Error("standalone harness: messages keep flowing after 50 flush rounds");
  }

  invoke(name, msg, options) {
    const id = `${this.hid}-${Math.random().toString(16).slice(2)}-${Date.now()}`;
    const signal = options.signal ?? AbortSignal.timeout(3000);
    return new Promise((resolve, reject) => {
      const handler = (reply, buffers) => {
        if (!reply || reply.id !== id) return;
        this.model.off("msg:custom", handler);
        resolve([reply.response, buffers]);
      };
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener("abort", () => {
        this.model.off("msg:custom", handler);
        reject(signal.reason);
      });
      this.model.on("msg:custom", handler);
      this.model.send({ id, kind: "anywidget-command", name, msg }, undefined, options.buffers ?? []);
    });
  }

  modelProxy(context) {
    const m = this.model;
    return {
      get: m.get.bind(m),
      set: m.set.bind(m),
      save_changes: m.save_changes.bind(m),
      send: m.send.bind(m),
      on: (name, cb) => m.on(name, cb, context),
      off: (name, cb) => m.off(name, cb, context),
      widget_manager: m.widget_manager,
    };
  }

  async load(esmUrl) {
    const mod = await import(esmUrl);
    if (typeof mod.render === "function" && !mod.default) {
      // Pre-0.9 anywidget modules exported a bare `render`.
      this.widget = { render: mod.render };
    } else {
      if (!mod.default) throw new Error(`${esmUrl}: the module has no default export`);
      this.widget = typeof mod.default === "function" ? await mod.default() : mod.default;
    }
    this.initCleanup = await this.widget.initialize?.({
      model: this.modelProxy("initialize"),
      signal: this.controller.signal,
      experimental: this.experimental,
    });
  }

  async render(container) {
    const el = document.createElement("div");
    const index = this.views.length;
    el.className = "jw-harness-view";
    el.dataset.harnessWidget = String(this.hid);
    el.dataset.harnessView = String(index);
    container.appendChild(el);
    const controller = new AbortController();
    const view = { el, controller, cleanup: undefined };
    this.views.push(view);
    if (typeof this.widget.render === "function") {
      view.cleanup = await this.widget.render({
        model: this.modelProxy(view),
        el,
        signal: controller.signal,
        experimental: this.experimental,
      });
    }
    return index;
  }

  async removeView(index) {
    const view = this.views[index];
    if (!view || view.removed) return;
    view.removed = true;
    view.controller.abort();
    this.model.off(null, null, view);
    if (typeof view.cleanup === "function") await view.cleanup();
    view.el.remove();
  }

  async close() {
    for (let i = 0; i < this.views.length; i++) await this.removeView(i);
    this.controller.abort();
    if (typeof this.initCleanup === "function") await this.initCleanup();
    clearInterval(this.timer);
    this.closed = true;
  }
}

// ---------------------------------------------------------------- page API

const hosts = new Map();

window.__jwHarness = {
  ready: true,

  // initJson: the widget's full state as a comm "update" message
  // ({data: {method, state, buffer_paths}, buffers: [base64]}), like comm_open.
  async mount(hid, initJson, esmUrl, cssText, containerId, modelId) {
    const host = new WidgetHost(hid, {});
    host.model._receive(JSON.parse(initJson));
    hosts.set(hid, host);
    if (modelId) models.set(modelId, host.model);
    if (cssText) {
      const style = document.createElement("style");
      style.dataset.harnessWidget = String(hid);
      style.textContent = cssText;
      document.head.appendChild(style);
    }
    await host.load(esmUrl);
    host.startPolling();
    const container = document.getElementById(containerId) || document.body;
    return host.render(container);
  },

  // A model without a view (a widget another widget references).
  mountModel(hid, initJson, modelId) {
    const host = new WidgetHost(hid, {});
    host.model._receive(JSON.parse(initJson));
    hosts.set(hid, host);
    models.set(modelId, host.model);
    host.startPolling();
    return hid;
  },

  async render(hid, containerId) {
    const host = hosts.get(hid);
    return host.render(document.getElementById(containerId) || document.body);
  },

  removeView(hid, index) {
    return hosts.get(hid).removeView(index);
  },

  flush(hid) {
    return hosts.get(hid).flush();
  },

  state(hid) {
    // JSON-able snapshot of the front-end model (binary values as base64).
    const attrs = hosts.get(hid).model._attrs;
    return JSON.parse(
      JSON.stringify(attrs, (k, v) => (isBinary(v) ? { base64: toBase64(v) } : v)),
    );
  },

  close(hid) {
    const host = hosts.get(hid);
    hosts.delete(hid);
    return host ? host.close() : undefined;
  },

  errors() {
    return window.__jwHarnessErrors || [];
  },
};
