/*
 * The console's own script: small enhancements over pages that work without it. It shows only
 * the compose fields for what is being posted, moves focus to a form's problems, and lets staff
 * drag a post to another day or slot in the calendar (posting the same form as the post's
 * "시간 바꾸기" page, and asking the same confirmation for an unusual time), and keeps the inbox
 * and a conversation up to date as they change.
 */
/* global window, document */
(function () {
  'use strict';

  function csrfToken() {
    try {
      var headers = JSON.parse(document.body.getAttribute('hx-headers') || '{}');
      return headers['X-CSRF-Token'] || '';
    } catch {
      return '';
    }
  }

  function say(text, tone) {
    var main = document.getElementById('main');
    if (!main) return;
    var box = document.getElementById('script-status');
    if (!box) {
      box = document.createElement('div');
      box.id = 'script-status';
      box.setAttribute('role', tone === 'bad' ? 'alert' : 'status');
      main.insertBefore(box, main.firstChild);
    }
    box.className = 'flash tone-' + (tone || 'info');
    box.textContent = text;
  }

  // Compose: show the fields for a free text or for a stored item, not both.
  function composeFields() {
    var form = document.getElementById('compose');
    if (!form) return;
    function update() {
      var chosen = form.querySelector('input[name="source"]:checked');
      var source = chosen ? chosen.value : 'text';
      var parts = form.querySelectorAll('[data-show-for]');
      for (var i = 0; i < parts.length; i++) parts[i].hidden = parts[i].getAttribute('data-show-for') !== source;
    }
    form.addEventListener('change', function (event) {
      if (event.target && event.target.name === 'source') update();
    });
    update();
  }

  // A page that came back with problems or a question: take the keyboard there first.
  function focusProblems() {
    var target = document.getElementById('error-summary') || document.getElementById('confirm');
    if (target) target.focus();
  }

  function reschedule(postId, date, time, force) {
    var body = new URLSearchParams();
    body.set('_csrf', csrfToken());
    body.set('date', date);
    body.set('time', time);
    if (force) body.set('force', '1');
    return fetch('/posts/' + encodeURIComponent(postId) + '/reschedule', {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrfToken() },
      body: body.toString(),
      credentials: 'same-origin',
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) return answer;
        if (response.status === 409 && answer.confirm) {
          var ask = answer.confirm.at + ': ' + answer.confirm.reasons.join(', ') + '.\n이때는 글을 보는 사람이 적어요. 그래도 이 시간에 게시할까요?';
          if (window.confirm(ask)) return reschedule(postId, date, time, true);
          return { cancelled: true };
        }
        if (response.status === 401 && answer.error && answer.error.signIn) {
          window.location.href = answer.error.signIn;
          return { cancelled: true };
        }
        throw new Error((answer.error && answer.error.message) || '옮기지 못했어요.');
      });
    });
  }

  // Calendar: drag a scheduled post or a draft onto another slot or day.
  function calendarDrag() {
    var posts = document.querySelectorAll('.cal-post[draggable="true"]');
    if (!posts.length) return;
    var dragged = null;
    for (var i = 0; i < posts.length; i++) {
      posts[i].addEventListener('dragstart', function (event) {
        dragged = event.currentTarget;
        dragged.classList.add('dragging');
        event.dataTransfer.effectAllowed = 'move';
        event.dataTransfer.setData('text/plain', dragged.getAttribute('data-post-id'));
      });
      posts[i].addEventListener('dragend', function (event) {
        event.currentTarget.classList.remove('dragging');
        clearTargets();
      });
    }
    function clearTargets() {
      var marked = document.querySelectorAll('.drop-target');
      for (var j = 0; j < marked.length; j++) marked[j].classList.remove('drop-target');
    }
    function targetOf(node) {
      return node && node.closest ? node.closest('.slot[data-date][data-time], [data-date]') : null;
    }
    document.addEventListener('dragover', function (event) {
      var target = dragged && targetOf(event.target);
      if (!target) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      clearTargets();
      target.classList.add('drop-target');
    });
    document.addEventListener('drop', function (event) {
      var target = dragged && targetOf(event.target);
      if (!target) return;
      event.preventDefault();
      clearTargets();
      var postId = dragged.getAttribute('data-post-id');
      var date = target.getAttribute('data-date');
      // Onto a slot: its time; onto a day: the post keeps its own time of day.
      var time = target.getAttribute('data-time') || dragged.getAttribute('data-time');
      dragged = null;
      say('게시물 #' + postId + '을(를) ' + date + ' ' + time + '(으)로 옮기는 중이에요…', 'info');
      reschedule(postId, date, time, false).then(
        function (answer) {
          if (answer && answer.cancelled) {
            say('옮기지 않았어요.', 'info');
            return;
          }
          say(answer.message || '옮겼어요.', 'ok');
          window.location.reload();
        },
        function (error) {
          say(error.message, 'bad');
        },
      );
    });
  }

  // Inbox and conversation pages: the server says what changed (server-sent events); the parts
  // marked data-live fetch themselves again (htmx), so nothing is reloaded and nothing typed is lost.
  function liveUpdates() {
    var holder = document.querySelector('[data-live-events]');
    if (!holder || !window.EventSource || !window.htmx) return;
    var source = new window.EventSource(holder.getAttribute('data-live-events'));
    var pending = null;
    source.addEventListener('change', function () {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(function () {
        pending = null;
        var parts = document.querySelectorAll('[data-live]');
        for (var i = 0; i < parts.length; i++) window.htmx.trigger(parts[i], 'ontact:changed');
      }, 200);
    });
    // Said once the stream is really open, so what changes after it is sure to be heard.
    source.addEventListener('open', function () {
      document.body.setAttribute('data-live-connected', '1');
    });
    window.addEventListener('pagehide', function () {
      source.close();
    });
  }

  function start() {
    composeFields();
    focusProblems();
    calendarDrag();
    liveUpdates();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
