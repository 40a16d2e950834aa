// A minimal DOM for testing the dashboard's rendering helpers in Node, without dependencies.
// It implements only what building elements needs, and it refuses every way of parsing HTML
// (innerHTML, outerHTML, insertAdjacentHTML, document.write), so a helper that tries fails loudly.

class FakeNode {
  constructor() {
    /** @type {FakeNode | null} */
    this.parentNode = null;
  }
}

export class FakeText extends FakeNode {
  /** @param {string} data */
  constructor(data) {
    super();
    this.nodeType = 3;
    this.data = String(data);
  }
  get textContent() { return this.data; }
  set textContent(value) { this.data = String(value); }
}

function refuseHTML() {
  throw new Error('HTML parsing is not allowed: render user content as text');
}

export class FakeElement extends FakeNode {
  /** @param {string} tagName */
  constructor(tagName) {
    super();
    this.nodeType = 1;
    this.tagName = tagName.toUpperCase();
    /** @type {FakeNode[]} */
    this.childNodes = [];
    /** @type {Map<string, string>} */
    this.attributes = new Map();
    /** @type {Record<string, string>} */
    this.dataset = {};
    /** @type {Map<string, Function[]>} */
    this.listeners = new Map();
    this.hidden = false;
    this.disabled = false;
    this.className = '';
  }

  get children() { return this.childNodes.filter((node) => node instanceof FakeElement); }

  appendChild(node) {
    if (!(node instanceof FakeNode)) throw new TypeError('appendChild takes a node');
    node.parentNode?.removeChild(node);
    node.parentNode = this;
    this.childNodes.push(node);
    return node;
  }

  append(...nodes) {
    for (const node of nodes) this.appendChild(typeof node === 'string' ? new FakeText(node) : node);
  }

  replaceChildren(...nodes) {
    for (const node of this.childNodes) node.parentNode = null;
    this.childNodes = [];
    this.append(...nodes);
  }

  removeChild(node) {
    this.childNodes = this.childNodes.filter((child) => child !== node);
    node.parentNode = null;
    return node;
  }

  remove() { this.parentNode?.removeChild(this); }

  get textContent() { return this.childNodes.map((node) => node.textContent).join(''); }
  set textContent(value) { this.replaceChildren(new FakeText(String(value ?? ''))); }

  setAttribute(name, value) {
    if (name.toLowerCase() === 'style' || /^on/i.test(name)) throw new Error(`attribute ${name} is not allowed under the CSP`);
    this.attributes.set(name.toLowerCase(), String(value));
  }
  getAttribute(name) { return this.attributes.get(name.toLowerCase()) ?? null; }

  addEventListener(type, listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** Calls the listeners of `type` with a minimal event. */
  dispatch(type) {
    const event = { type, target: this, defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    for (const listener of this.listeners.get(type) ?? []) listener(event);
    return event;
  }

  /** Every element below this one, depth first. */
  *descendants() {
    for (const child of this.children) {
      yield child;
      yield* child.descendants();
    }
  }

  get classList() {
    const element = this;
    const list = () => element.className.split(/\s+/).filter(Boolean);
    return {
      contains: (name) => list().includes(name),
      add: (...names) => { element.className = [...new Set([...list(), ...names])].join(' '); },
      remove: (...names) => { element.className = list().filter((n) => !names.includes(n)).join(' '); },
      toggle: (name, force) => {
        const on = force ?? !list().includes(name);
        if (on) element.classList.add(name); else element.classList.remove(name);
        return on;
      },
    };
  }

  set innerHTML(_value) { refuseHTML(); }
  get innerHTML() { refuseHTML(); }
  set outerHTML(_value) { refuseHTML(); }
  insertAdjacentHTML() { refuseHTML(); }
}

export function createFakeDocument() {
  return {
    createElement: (tag) => new FakeElement(tag),
    createTextNode: (text) => new FakeText(text),
    write: refuseHTML,
    writeln: refuseHTML,
  };
}
