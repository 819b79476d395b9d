/* cslevels answers form: keeps answers in this browser and downloads a YAML answers file.
   No network, no eval, no innerHTML: text only ever goes through form values and textContent. */
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("form-data").textContent);
  var QS = DATA.questions;
  var LIMITS = DATA.limits;
  var KEY = DATA.key;
  var DETAILS = ["subject", "assessor", "date", "target", "prepared_for", "executive_summary"];
  var state = null;
  var storage = null;
  var storageProblem = "";
  var byKey = {};
  var i;
  for (i = 0; i < QS.length; i++) { byKey[QS[i].k] = i; }

  /* ------------------------------------------------------------ state */

  function emptyState() {
    return { v: 1, details: { subject: "", assessor: "", date: "", target: "", prepared_for: "",
                              executive_summary: "" }, answers: {},
             dirty: false, savedAt: "", downloadedAt: "" };
  }

  function text(value) { return typeof value === "string" ? value : ""; }

  function validChoice(q, c) {
    if (c === "na") { return q.na === true; }
    return typeof c === "string" && /^(0|[1-9][0-9]*)$/.test(c) && Number(c) < DATA.scales[q.s].o.length;
  }

  /* Only what this form can show survives: a damaged or foreign entry cannot break the page. */
  function sanitize(raw) {
    var s = emptyState();
    if (!raw || typeof raw !== "object") { return s; }
    var d = raw.details && typeof raw.details === "object" ? raw.details : {};
    DETAILS.forEach(function (name) { s.details[name] = text(d[name]); });
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(s.details.date)) { s.details.date = ""; }
    if (!/^[1-9][0-9]*$/.test(s.details.target) || Number(s.details.target) > DATA.levels.length) {
      s.details.target = "";
    }
    var answers = raw.answers && typeof raw.answers === "object" ? raw.answers : {};
    Object.keys(answers).forEach(function (key) {
      if (!Object.prototype.hasOwnProperty.call(byKey, key)) { return; }
      var a = answers[key];
      if (!a || typeof a !== "object") { return; }
      var entry = {};
      if (validChoice(QS[byKey[key]], a.c)) { entry.c = a.c; }
      if (typeof a.n === "string" && a.n !== "") { entry.n = a.n; }
      if (Array.isArray(a.e)) {
        var items = a.e.filter(function (x) { return typeof x === "string" && x.trim() !== ""; });
        if (items.length) { entry.e = items; }
      }
      if (Object.keys(entry).length) { s.answers[key] = entry; }
    });
    s.dirty = raw.dirty === true;
    s.savedAt = text(raw.savedAt);
    s.downloadedAt = text(raw.downloadedAt);
    return s;
  }

  function entryOf(key, create) {
    var entry = state.answers[key];
    if (!entry && create) { entry = state.answers[key] = {}; }
    return entry;
  }

  function tidy(key) {
    var entry = state.answers[key];
    if (entry && entry.c === undefined && !entry.n && !(entry.e && entry.e.length)) {
      delete state.answers[key];
    }
  }

  /* ------------------------------------------------------------ storage */

  function openStorage() {
    try {
      storage = window.localStorage;
      var probe = KEY + "/probe";
      storage.setItem(probe, "1");
      storage.removeItem(probe);
    } catch (e) {
      storage = null;
      storageProblem = "this browser does not let this page keep data";
    }
  }

  function loadSaved() {
    if (!storage) { return null; }
    var raw = null;
    try { raw = storage.getItem(KEY); } catch (e) { return null; }
    if (raw === null) { return null; }
    try { return JSON.parse(raw); } catch (e) { return null; }
  }

  function save() {
    state.savedAt = new Date().toISOString();
    if (!storage) { showStatus(); return; }
    try {
      storage.setItem(KEY, JSON.stringify(state));
      storageProblem = "";
    } catch (e) {
      storageProblem = e && e.name === "QuotaExceededError"
        ? "this browser's storage for local files is full"
        : "this browser refused to keep the answers";
    }
    showStatus();
  }

  function changed() {
    state.dirty = true;
    save();
  }

  function clock(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) { return ""; }
    var today = new Date().toDateString() === when.toDateString();
    return today ? when.toLocaleTimeString() : when.toLocaleString();
  }

  function showStatus() {
    var el = document.getElementById("save-state");
    var line;
    /* Announced only when saving fails: a live region that changed on every key would
       talk over the respondent. */
    if (storageProblem) { el.setAttribute("role", "alert"); } else { el.removeAttribute("role"); }
    if (storageProblem) {
      el.className = "save-state warn";
      el.textContent = "Not saved in this browser: " + storageProblem +
        ". Download your answers before closing this page.";
      return;
    }
    if (!state.savedAt) {
      el.className = "save-state";
      el.textContent = (DATA.prefill ? "Pre-filled from an answers file. " : "Not saved yet: ") +
        "Answers are kept in this browser as you fill them in.";
      return;
    }
    line = "Saved in this browser at " + clock(state.savedAt);
    if (state.downloadedAt) {
      line += state.dirty ? "; changed since the download at " + clock(state.downloadedAt)
                          : "; downloaded at " + clock(state.downloadedAt);
    } else if (state.dirty) {
      line += "; not downloaded yet";
    }
    el.className = "save-state saved";
    el.textContent = line + ".";
  }

  /* ------------------------------------------------------------ building the questions */

  var built = [];  /* built[index]: that question's controls, once it is in the page */
  var FIRST_CHUNK = 20;
  var CHUNK = 60;

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function textField(refs, index, field, name, hint) {
    var box = el("div", "note-field");
    var label = el("label", null, name);
    label.htmlFor = field + index;
    if (hint) { label.appendChild(document.createTextNode(" ")); label.appendChild(el("span", "muted", hint)); }
    var area = el("textarea");
    area.id = field + index;
    area.rows = 2;
    area.setAttribute("data-i", String(index));
    area.setAttribute("data-f", field);
    var limit = el("p", "limit");
    limit.id = "l" + field + index;
    limit.hidden = true;
    var print = el("div", "print-text");
    print.setAttribute("data-print", field + index);
    box.appendChild(label);
    box.appendChild(area);
    box.appendChild(limit);
    box.appendChild(print);
    refs[field] = area;
    refs["l" + field] = limit;
    refs["p" + field] = print;
    return box;
  }

  function choice(refs, index, value, text, hint) {
    var label = el("label", "choice");
    var input = el("input");
    input.type = "radio";
    input.name = "a" + index;
    input.value = value;
    var span = el("span", null, text);
    if (hint) { span.appendChild(document.createTextNode(" ")); span.appendChild(el("span", "muted", hint)); }
    label.appendChild(input);
    label.appendChild(span);
    refs.radios.push(input);
    return label;
  }

  function build(index) {
    var q = QS[index];
    var refs = { radios: [] };
    var scale = DATA.scales[q.s];
    var set = el("fieldset", "q");
    set.id = "q" + index;
    var legend = el("legend");
    legend.appendChild(el("span", "q-num", q.n));
    legend.appendChild(document.createTextNode(" "));
    legend.appendChild(el("span", "q-text", q.t));
    if (q.r) { legend.appendChild(el("span", "required", "Required")); }
    set.appendChild(legend);
    if (q.r) { set.appendChild(el("p", "required-note", DATA.required + ".")); }
    var label = el("p", "scale-label", scale.label + " ");
    label.appendChild(el("span", "key", q.k));
    set.appendChild(label);
    var choices = el("div", "choices");
    scale.o.forEach(function (option, j) {
      choices.appendChild(choice(refs, index, String(j), option[2]));
    });
    if (q.na) { choices.appendChild(choice(refs, index, "na", "n/a", "(does not apply)")); }
    var clear = el("button", "link clear", "Clear");
    clear.type = "button";
    clear.hidden = true;
    clear.setAttribute("data-clear", String(index));
    clear.setAttribute("aria-label", "Clear the answer to question " + q.n);
    choices.appendChild(clear);
    refs.clear = clear;
    refs.set = set;
    set.appendChild(choices);
    if (q.g) {
      var details = el("details", "guidance");
      details.appendChild(el("summary", null, "Look for"));
      details.appendChild(el("p", null, q.g));
      set.appendChild(details);
    }
    var notes = el("div", "notes");
    notes.appendChild(textField(refs, index, "n", "Note"));
    notes.appendChild(textField(refs, index, "e", "Evidence", "(one item per line)"));
    set.appendChild(notes);
    built.push(refs);
    return set;
  }

  function buildUpTo(end, done) {
    var start = built.length;
    var containers = document.querySelectorAll("[data-level]");
    var fragment = null;
    var level = -1;
    function flush() {
      if (!fragment) { return; }
      var box = containers[level];
      var loading = box.querySelector(".loading");
      if (loading) { box.removeChild(loading); }
      box.appendChild(fragment);
    }
    for (var index = start; index < end && index < QS.length; index++) {
      if (QS[index].l !== level) { flush(); level = QS[index].l; fragment = document.createDocumentFragment(); }
      fragment.appendChild(build(index));
    }
    flush();
    for (var shown = start; shown < built.length; shown++) { showQuestion(shown); }
    if (built.length < QS.length) {
      /* after the next frame is painted, so the page shows and takes input meanwhile */
      requestAnimationFrame(function () {
        setTimeout(function () { buildUpTo(built.length + CHUNK, done); }, 0);
      });
    } else {
      done();
    }
  }

  /* ------------------------------------------------------------ the page */

  function radios(index) { return built[index].radios; }

  function codePoints(s) {
    var pairs = s.match(/[\ud800-\udbff][\udc00-\udfff]/g);
    return s.length - (pairs ? pairs.length : 0);
  }

  function number(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  function overLimit(value, limit) {
    return value.length > limit && codePoints(value) > limit;
  }

  function evidenceItems(value) {
    return value.split(/\r\n|\r|\n/).filter(function (line) { return line.trim() !== ""; });
  }

  function longestOver(items, limit) {
    var worst = 0;
    items.forEach(function (item) {
      if (overLimit(item, limit)) { worst = Math.max(worst, codePoints(item)); }
    });
    return worst;
  }

  function showLimit(index, field) {
    var entry = state.answers[QS[index].k] || {};
    var box = built[index][field];
    var msg = built[index]["l" + field];
    var problem = "";
    if (field === "n" && entry.n && overLimit(entry.n, LIMITS.note)) {
      problem = "This note is " + number(codePoints(entry.n)) + " characters long; an answers " +
        "file holds at most " + number(LIMITS.note) + ". Shorten it to download.";
    }
    if (field === "e" && entry.e) {
      var worst = longestOver(entry.e, LIMITS.evidence);
      if (worst) {
        problem = "An evidence item is " + number(worst) + " characters long; each holds at most " +
          number(LIMITS.evidence) + ". Split it over several lines to download.";
      }
    }
    msg.textContent = problem;
    msg.hidden = !problem;
    if (problem) {
      box.setAttribute("aria-invalid", "true");
      box.setAttribute("aria-describedby", msg.id);
    } else {
      box.removeAttribute("aria-invalid");
      box.removeAttribute("aria-describedby");
    }
  }

  function showQuestion(index) {
    var q = QS[index];
    var entry = state.answers[q.k] || {};
    var group = radios(index);
    var j;
    for (j = 0; j < group.length; j++) { group[j].checked = group[j].value === entry.c; }
    var note = built[index].n;
    var evidence = built[index].e;
    var noteText = entry.n || "";
    var evidenceText = (entry.e || []).join("\n");
    /* A textarea reads back CR as LF: rewrite it only when it shows something else. */
    if (note.value !== noteText.replace(/\r\n?/g, "\n")) { note.value = noteText; }
    if (evidence.value !== evidenceText.replace(/\r\n?/g, "\n")) { evidence.value = evidenceText; }
    showPrint(index);
    showLimit(index, "n");
    showLimit(index, "e");
    showAnswered(index);
  }

  function showPrint(index) {
    var entry = state.answers[QS[index].k] || {};
    built[index].pn.textContent = entry.n || "";
    built[index].pe.textContent = (entry.e || []).join("\n");
  }

  function showAnswered(index) {
    var entry = state.answers[QS[index].k];
    var answered = !!(entry && entry.c !== undefined);
    built[index].set.classList.toggle("answered", answered);
    built[index].clear.hidden = !answered;
  }

  function showProgress() {
    var per = DATA.levels.map(function () { return 0; });
    var total = 0;
    QS.forEach(function (q) {
      var entry = state.answers[q.k];
      if (entry && entry.c !== undefined) { per[q.l] += 1; total += 1; }
    });
    document.getElementById("progress").value = total;
    document.getElementById("progress-text").textContent =
      number(total) + " of " + number(QS.length) + " answered";
    per.forEach(function (count, level) {
      var size = DATA.levels[level];
      document.querySelector('[data-level-bar="' + level + '"]').value = count;
      document.querySelector('[data-level-text="' + level + '"]').textContent =
        count + " of " + size + " answered";
      document.querySelector('[data-level-count="' + level + '"]').textContent =
        count + " of " + size + (count === size ? " (complete)" : "");
    });
  }

  function showDetails() {
    DETAILS.forEach(function (name) {
      var el = document.querySelector('[data-d="' + name + '"]');
      if (el.value !== state.details[name]) { el.value = state.details[name]; }
    });
    showSummaryPrint();
  }

  /* A textarea does not print: the summary's text does, below it. */
  function showSummaryPrint() {
    document.getElementById("f-summary-print").textContent = state.details.executive_summary;
  }

  function showAll() {
    showDetails();
    for (var index = 0; index < built.length; index++) { showQuestion(index); }
    showProgress();
    showStatus();
  }

  /* ------------------------------------------------------------ YAML */

  function hex(code, width) {
    var s = code.toString(16).toUpperCase();
    while (s.length < width) { s = "0" + s; }
    return s;
  }

  var SIMPLE = { "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r" };

  /* A YAML double-quoted scalar in printable ASCII: every other character is an escape
     (\uXXXX, or \UXXXXXXXX for a surrogate pair), so no text can end the string, start a
     comment, a document or a tag, or be read as a line break (NEL, U+2028/9) or a BOM. */
  function quote(s) {
    return "\"" + s.replace(/[\ud800-\udbff][\udc00-\udfff]|[^\x20\x21\x23-\x5b\x5d-\x7e]/g,
      function (c) {
        if (SIMPLE[c]) { return SIMPLE[c]; }
        if (c.length === 2) {
          var code = (c.charCodeAt(0) - 0xd800) * 0x400 + (c.charCodeAt(1) - 0xdc00) + 0x10000;
          return "\\U" + hex(code, 8);
        }
        var unit = c.charCodeAt(0);
        if (unit >= 0xd800 && unit <= 0xdfff) { return "\\uFFFD"; } /* a lone surrogate */
        return "\\u" + hex(unit, 4);
      }) + "\"";
  }

  function valueText(q, choice) {
    if (choice === "na") { return quote("n/a"); }
    var option = DATA.scales[q.s].o[Number(choice)];
    return option[0] === 1 ? option[1] : quote(option[1]);
  }

  function toYaml() {
    var d = state.details;
    var lines = [
      "# cslevels answers file, downloaded from the answers form.",
      "# Check it with: cslevels validate <file>; score it with: cslevels score <file>",
      "schema: " + quote(DATA.schema),
      "rubric: " + quote(DATA.rubric),
      "rubric_version: " + quote(DATA.version),
      "subject: " + quote(d.subject.trim())
    ];
    if (d.assessor.trim()) { lines.push("assessor: " + quote(d.assessor.trim())); }
    if (d.date) { lines.push("date: " + d.date); }
    if (d.target) { lines.push("target: " + d.target); }
    /* the consultant's own words, exactly as given (left out only when blank) */
    if (d.prepared_for.trim()) { lines.push("prepared_for: " + quote(d.prepared_for)); }
    if (d.executive_summary.trim()) {
      lines.push("executive_summary: " + quote(d.executive_summary));
    }
    var body = [];
    QS.forEach(function (q) {
      var entry = state.answers[q.k];
      if (!entry) { return; }
      var hasNote = !!entry.n;
      var hasEvidence = !!(entry.e && entry.e.length);
      if (!hasNote && !hasEvidence) {
        if (entry.c !== undefined) { body.push("  " + quote(q.k) + ": " + valueText(q, entry.c)); }
        return;
      }
      body.push("  " + quote(q.k) + ":");
      if (entry.c !== undefined) { body.push("    value: " + valueText(q, entry.c)); }
      if (hasNote) { body.push("    note: " + quote(entry.n)); }
      if (hasEvidence) {
        body.push("    evidence:");
        entry.e.forEach(function (item) { body.push("      - " + quote(item)); });
      }
    });
    if (body.length) { lines.push("answers:"); lines = lines.concat(body); }
    else { lines.push("answers: {}"); }
    return lines.join("\n") + "\n";
  }

  /* What would make cslevels refuse the file: each with the control to fix. */
  function problems() {
    var found = [];
    var subject = state.details.subject.trim();
    if (!subject) { found.push(["f-subject", "Subject: enter the subject assessed (it is required)."]); }
    else if (overLimit(subject, LIMITS.subject)) {
      found.push(["f-subject", "Subject: at most " + number(LIMITS.subject) + " characters."]);
    }
    if (overLimit(state.details.assessor.trim(), LIMITS.assessor)) {
      found.push(["f-assessor", "Assessor: at most " + number(LIMITS.assessor) + " characters."]);
    }
    if (overLimit(state.details.prepared_for, LIMITS.prepared_for)) {
      found.push(["f-prepared-for", "Prepared for: at most " + number(LIMITS.prepared_for) +
        " characters."]);
    }
    if (overLimit(state.details.executive_summary, LIMITS.executive_summary)) {
      found.push(["f-summary", "Executive summary: " +
        number(codePoints(state.details.executive_summary)) + " characters; at most " +
        number(LIMITS.executive_summary) + "."]);
    }
    QS.forEach(function (q, index) {
      var entry = state.answers[q.k];
      if (!entry) { return; }
      var label = "Question " + q.n;
      if (entry.n && overLimit(entry.n, LIMITS.note)) {
        found.push(["n" + index, label + ": the note is " + number(codePoints(entry.n)) +
          " characters; at most " + number(LIMITS.note) + "."]);
      }
      if (entry.e && longestOver(entry.e, LIMITS.evidence)) {
        found.push(["e" + index, label + ": an evidence item is over " +
          number(LIMITS.evidence) + " characters; split it over several lines."]);
      }
    });
    return found;
  }

  function showProblems(found) {
    var box = document.getElementById("problems");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    box.hidden = found.length === 0;
    if (!found.length) { return; }
    var head = document.createElement("p");
    head.textContent = "Not downloaded: fix " + (found.length === 1 ? "this" : "these " +
      found.length) + " first. Your answers are kept.";
    box.appendChild(head);
    var list = document.createElement("ul");
    found.forEach(function (problem) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + problem[0];
      link.textContent = problem[1];
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var target = document.getElementById(problem[0]);
        if (!target) { return; }
        target.scrollIntoView({ block: "center" });
        target.focus();
      });
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function slug(s) {
    return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60)
      .replace(/-+$/, "");
  }

  function fileName() {
    var parts = [slug(DATA.rubric), slug(state.details.subject)];
    if (state.details.date) { parts.push(state.details.date); }
    return parts.filter(Boolean).join("-") + ".yaml";
  }

  function download() {
    var found = problems();
    showProblems(found);
    if (found.length) {
      document.getElementById("problems").scrollIntoView({ block: "nearest" });
      return;
    }
    var blob = new Blob([toYaml()], { type: "application/yaml" });
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = fileName();
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    state.dirty = false;
    state.downloadedAt = new Date().toISOString();
    save();
  }

  /* ------------------------------------------------------------ events */

  function onChange(event) {
    var el = event.target;
    if (el.type === "radio" && /^a[0-9]+$/.test(el.name)) {
      var index = Number(el.name.slice(1));
      var q = QS[index];
      if (!el.checked || !validChoice(q, el.value)) { return; }
      entryOf(q.k, true).c = el.value;
      showAnswered(index);
      showProgress();
      changed();
    } else if (el.getAttribute("data-d")) {
      onDetail(el);
    }
  }

  function onDetail(el) {
    var name = el.getAttribute("data-d");
    if (state.details[name] === el.value) { return; }
    state.details[name] = el.value;
    if (name === "subject" && el.value.trim()) { el.removeAttribute("aria-invalid"); }
    if (name === "executive_summary") { showSummaryPrint(); }
    changed();
  }

  function onInput(event) {
    var el = event.target;
    if (el.getAttribute("data-d") && el.tagName !== "SELECT") { onDetail(el); return; }
    var field = el.getAttribute("data-f");
    if (!field) { return; }
    var index = Number(el.getAttribute("data-i"));
    var q = QS[index];
    var entry = entryOf(q.k, true);
    if (field === "n") {
      if (el.value) { entry.n = el.value; } else { delete entry.n; }
    } else {
      var items = evidenceItems(el.value);
      if (items.length) { entry.e = items; } else { delete entry.e; }
    }
    tidy(q.k);
    showPrint(index);
    showLimit(index, field);
    changed();
  }

  function onClick(event) {
    var button = event.target.closest ? event.target.closest("[data-clear]") : null;
    if (!button) { return; }
    var index = Number(button.getAttribute("data-clear"));
    var q = QS[index];
    var entry = state.answers[q.k];
    if (entry) { delete entry.c; tidy(q.k); }
    var group = radios(index);
    for (var j = 0; j < group.length; j++) { group[j].checked = false; }
    showAnswered(index);
    showProgress();
    changed();
    group[0].focus();
  }

  function clearAll() {
    if (!window.confirm("Clear every answer and detail of this form, here and in this " +
                        "browser's storage? A file you downloaded is not affected.")) { return; }
    var downloadedAt = state.downloadedAt;
    state = emptyState();
    state.downloadedAt = downloadedAt;
    showAll();
    save();  /* nothing left to lose: leaving the page need not ask */
    showProblems([]);
  }

  function start() {
    openStorage();
    var saved = loadSaved();
    state = sanitize(saved || DATA.prefill || {});
    if (!saved) { state.savedAt = ""; state.dirty = false; }
    showDetails();
    showProgress();
    showStatus();
    var main = document.getElementById("main");
    main.addEventListener("change", onChange);
    main.addEventListener("input", onInput);
    main.addEventListener("click", onClick);
    document.getElementById("download").addEventListener("click", download);
    document.getElementById("download-bottom").addEventListener("click", download);
    document.getElementById("clear-all").addEventListener("click", clearAll);
    window.addEventListener("beforeunload", function (event) {
      if (state.dirty) { event.preventDefault(); event.returnValue = ""; }
    });
    /* The same file open in another tab: show what it saved. */
    window.addEventListener("storage", function (event) {
      if (event.key !== KEY || event.newValue === null) { return; }
      try { state = sanitize(JSON.parse(event.newValue)); } catch (e) { return; }
      showAll();
    });
    if (saved) {
      document.getElementById("save-state").textContent += " Restored what was saved here.";
    }
    /* The first questions at once, the rest a chunk at a time: usable while it builds. */
    buildUpTo(FIRST_CHUNK, function () {
      document.documentElement.setAttribute("data-ready", "");
      mark("cslevels-form-ready");
      if (location.hash) {
        var target = document.getElementById(location.hash.slice(1));
        if (target) { target.scrollIntoView(); }
      }
    });
    mark("cslevels-form-usable");
  }

  function mark(name) {
    if (window.performance && performance.mark) { performance.mark(name); }
  }

  start();
})();
