/* The report page's upload form: drop files on the zone or choose them, see them listed,
   watch the progress bar while they go, then read the receipts (or why nothing was stored)
   in the page. Every word comes from the form's data- attributes, rendered from the message
   catalog. Without this script the same form posts as a plain form and gets a page back. */
(function () {
  "use strict";
  var form = document.getElementById("upload");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var words = form.dataset;
  var input = form.querySelector('input[type="file"]');
  var zone = form.querySelector(".drop");
  var list = form.querySelector(".chosen");
  var progress = form.querySelector(".progress");
  var bar = progress.querySelector("progress");
  var percent = progress.querySelector(".percent");
  var result = form.querySelector(".result");
  var button = form.querySelector('button[type="submit"]');
  var note = form.querySelector("textarea");
  var limit = Number(words.max);
  var most = Number(words.maxFiles);
  var accepted = words.accept.split(",");
  var chosen = [];
  /* The browser's own file button speaks the browser's language, not always Vietnamese: with
     this script the zone and the list of chosen files take its place (CSS hides it). */
  form.classList.add("enhanced");

  function named(template, name) {
    return template.split("{name}").join(name);
  }

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot < 0 ? "" : name.slice(dot).toLowerCase();
  }

  function megabytes(size) {
    return (size / 1024 / 1024).toFixed(1).replace(".", ",");
  }

  /* What the server would refuse anyway, said before a byte is sent. */
  function problem(files) {
    if (!files.length) {
      return words.wordNone;
    }
    if (files.length > most) {
      return words.wordMany;
    }
    for (var i = 0; i < files.length; i += 1) {
      var file = files[i];
      if (accepted.indexOf(extension(file.name)) < 0) {
        return named(words.wordType, file.name);
      }
      if (file.size === 0) {
        return named(words.wordEmpty, file.name);
      }
      if (file.size > limit) {
        return named(words.wordTooBig, file.name);
      }
    }
    return null;
  }

  function say(text, kind) {
    result.textContent = "";
    result.className = "result" + (kind ? " " + kind : "");
    var line = document.createElement("p");
    line.textContent = text;
    result.appendChild(line);
  }

  function show(files) {
    chosen = Array.prototype.slice.call(files);
    list.textContent = "";
    chosen.forEach(function (file) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + megabytes(file.size) + " MB)";
      list.appendChild(item);
    });
    list.hidden = chosen.length === 0;
    result.textContent = "";
  }

  function busy(on) {
    button.disabled = on;
    input.disabled = on;
    form.classList.toggle("busy", on);
  }

  function receipts(items) {
    say(words.wordDone, "done");
    items.forEach(function (item) {
      var text = document.createElement("pre");
      text.className = "receipt";
      text.textContent = item.text;
      result.appendChild(text);
    });
  }

  input.addEventListener("change", function () {
    show(input.files);
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () {
      zone.classList.remove("over");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    var dropped = event.dataTransfer && event.dataTransfer.files;
    if (dropped && dropped.length) {
      try {
        input.files = dropped; /* so that the plain form would carry them too */
      } catch (ignored) {
        /* older browsers keep the input as it was; the list below is what is sent */
      }
      show(dropped);
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var files = chosen.length ? chosen : Array.prototype.slice.call(input.files);
    var wrong = problem(files);
    if (wrong) {
      say(wrong, "error");
      return;
    }
    var data = new FormData();
    data.append("csrf", words.csrf);
    files.forEach(function (file) {
      data.append(input.name, file, file.name);
    });
    if (note && note.value) {
      data.append(note.name, note.value);
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", words.csrf);
    request.upload.onprogress = function (step) {
      if (step.lengthComputable) {
        var done = Math.floor((step.loaded * 100) / step.total);
        bar.value = done;
        percent.textContent = done + "%";
      }
    };
    request.onload = function () {
      var answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (ignored) {
        answer = null;
      }
      busy(false);
      if (request.status === 200 && answer && answer.receipts) {
        bar.value = 100;
        percent.textContent = "100%";
        form.reset();
        show([]);
        receipts(answer.receipts);
      } else {
        say((answer && answer.error) || words.wordFailed, "error");
      }
    };
    request.onerror = function () {
      busy(false);
      say(words.wordNetwork, "error");
    };
    bar.value = 0;
    percent.textContent = "0%";
    progress.hidden = false;
    busy(true);
    say(words.wordSending);
    request.send(data);
  });
}());
