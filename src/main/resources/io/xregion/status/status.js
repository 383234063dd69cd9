// xregion's status page: polls status.json (the same document machines read) and redraws. No framework, nothing
// from elsewhere: the Content-Security-Policy of the page allows this app server only. Every value is written as
// text (textContent), never as HTML.
'use strict';

(function () {
  const STATUS_URL = 'status.json';
  const DEFAULT_REFRESH_MS = 1000;
  let refreshMs = DEFAULT_REFRESH_MS;
  let lastSuccess = null;

  const byId = (id) => document.getElementById(id);

  function el(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) {
        node.setAttribute(name, String(value));
      }
    }
    return node;
  }

  function badge(state, label) {
    const shown = state === null || state === undefined ? 'n/a' : state;
    return el('span', label || shown, { class: 'badge', 'data-state': shown });
  }

  function cell(content, field) {
    const td = el('td', null, { 'data-field': field });
    if (content instanceof Node) {
      td.appendChild(content);
    } else if (content !== undefined && content !== null && content !== '') {
      td.textContent = String(content);
    } else {
      td.textContent = '–';
    }
    return td;
  }

  function row(attributes, cells) {
    const tr = el('tr', null, attributes);
    cells.forEach((c) => tr.appendChild(c));
    return tr;
  }

  // "3 s", "4 min 12 s", "2 h 5 min": how long ago, measured on the server's clock (no skew with the browser's)
  function duration(fromIso, nowIso) {
    const seconds = Math.max(0, Math.round((Date.parse(nowIso) - Date.parse(fromIso)) / 1000));
    return durationOf(seconds);
  }

  function durationOf(seconds) {
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
    if (seconds < 86400) return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
    return Math.floor(seconds / 86400) + ' d ' + Math.floor((seconds % 86400) / 3600) + ' h';
  }

  function since(iso, now) {
    const span = el('span', 'for ' + duration(iso, now), { title: iso });
    return span;
  }

  function clock(iso) {
    const time = new Date(iso);
    return time.toLocaleTimeString([], { hour12: false });
  }

  function errorText(text) {
    return text ? el('span', text, { class: 'error' }) : null;
  }

  function definitions(target, entries) {
    const items = [];
    for (const [term, value, field] of entries) {
      const dd = el('dd', null, { 'data-field': field });
      if (value instanceof Node) {
        dd.appendChild(value);
      } else {
        dd.textContent = value === undefined || value === null || value === '' ? '–' : String(value);
      }
      items.push(el('dt', term), dd);
    }
    target.replaceChildren(...items);
  }

  function renderHeader(status) {
    byId('region').textContent = 'region ' + status.region + ' · ' + status.replica;
    document.title = 'xregion ' + status.region + ' status';
    const ready = byId('ready');
    ready.textContent = status.ready.state;
    ready.dataset.state = status.ready.state;
    byId('ready-down').textContent = status.ready.down.length ? 'down: ' + status.ready.down.join(', ') : '';
  }

  function renderRegions(status) {
    byId('regions').replaceChildren(...status.regions.map((region) => {
      const name = el('span', region.name);
      const title = el('span');
      title.appendChild(name);
      if (region.home) {
        title.appendChild(el('span', 'home', { class: 'home', title: "this app server's own region" }));
      }
      return row({ 'data-region': region.name }, [
        cell(title, 'name'),
        cell(badge(region.webpubsub), 'webpubsub'),
        cell(badge(region.servicebus), 'servicebus'),
      ]);
    }));
  }

  function renderInstances(status) {
    const section = status.webpubsub;
    byId('hub').textContent = 'hub ' + section.hub;
    byId('instances').replaceChildren(...section.instances.map((instance) => row({ 'data-instance': instance.name }, [
      cell(el('span', instance.name, { title: instance.endpoint }), 'name'),
      cell(instance.role, 'role'),
      cell(badge(instance.state), 'state'),
      cell(since(instance.since, status.time), 'since'),
      cell(instance.connections === null ? el('span', 'not known', { class: 'muted', title: section.connections })
        : instance.connections, 'connections'),
      cell(errorText(instance.lastError), 'lastError'),
    ])));
    byId('connections-note').textContent = 'Connections: ' + section.connections + '.';
  }

  function renderNamespaces(status) {
    const section = status.servicebus;
    byId('servicebus-mode').textContent = section.mode === 'passive'
      ? 'passive replication, entity ' + section.entity + ': sends go to ' + section.inUse
      : 'active replication, entity ' + section.entity + ': every message to each reachable namespace';
    byId('namespaces').replaceChildren(...section.namespaces.map((namespace) => {
      const inUse = section.mode === 'passive' ? (namespace.name === section.inUse ? 'yes' : 'no')
        : (namespace.state === 'UP' ? 'yes' : 'no');
      return row({ 'data-namespace': namespace.name }, [
        cell(el('span', namespace.name, { title: namespace.host }), 'name'),
        cell(namespace.role, 'role'),
        cell(badge(namespace.state), 'state'),
        cell(since(namespace.since, status.time), 'since'),
        cell(badge(inUse), 'inUse'),
        cell(errorText(namespace.lastError), 'lastError'),
      ]);
    }));
  }

  function renderDuplicateStore(status) {
    const store = status.duplicateStore;
    const entries = [['store', store.store, 'store']];
    if (store.store === 'redis') {
      entries.push(
        ['state', badge(store.state), 'state'],
        ['endpoint in use', store.endpoint, 'endpoint'],
        ['endpoints', (store.endpoints || []).join(', '), 'endpoints'],
        ['claims held', store.claimsHeld, 'claimsHeld'],
        ['owner', store.owner, 'owner']);
      if (store.state !== 'shared') {
        entries.push(
          ['unreachable for', durationOf(Math.round(store.unreachableForMs / 1000)), 'unreachableFor'],
          ['hold', store.hold, 'hold'],
          ['last error', errorText(store.lastError), 'lastError']);
      }
    } else {
      entries.push(['shared', 'no: duplicates are eliminated in this process only', 'shared']);
    }
    definitions(byId('dedup'), entries);
  }

  function renderLeader(status) {
    const leader = status.failbackLeader;
    let who = leader.leaderMember;
    if (!who) {
      who = leader.leader ? 'this replica' : leader.service === 'kubernetes' ? 'none known'
        : 'another replica (a lock file does not name it)';
    }
    definitions(byId('leader'), [
      ['this replica leads', badge(leader.leader ? 'yes' : 'no'), 'leader'],
      ['leader', who, 'leaderMember'],
      ['namespace', leader.namespace, 'namespace'],
      ['elected by', leader.service === 'kubernetes' ? 'a Kubernetes Lease' : 'a lock file', 'service'],
    ]);
  }

  function renderOutbox(status) {
    const outbox = status.outbox;
    if (!outbox.enabled) {
      definitions(byId('outbox'), [['enabled', 'no: a publish no namespace takes is answered 503', 'enabled']]);
      return;
    }
    definitions(byId('outbox'), [
      ['depth', outbox.depth + (outbox.depth === 1 ? ' message' : ' messages'), 'depth'],
      ['oldest waits', outbox.depth ? durationOf(Math.round(outbox.oldestAgeSeconds)) : '–', 'oldestAge'],
      ['takes messages', badge(outbox.takesMessages ? 'yes' : 'full', outbox.takesMessages ? 'yes' : 'no: full'),
        'takesMessages'],
    ]);
  }

  function renderChanges(status) {
    const section = status.recentChanges;
    byId('changes-limit').textContent = 'the last ' + section.limit + ', newest first';
    byId('changes').replaceChildren(...section.changes.map((change) => {
      const li = el('li', null, { 'data-kind': change.kind, 'data-name': change.name, 'data-to': change.to });
      li.appendChild(el('time', clock(change.at), { datetime: change.at, title: change.at }));
      li.appendChild(el('span', change.kind === 'webpubsub' ? 'Web PubSub' : 'Service Bus', { class: 'muted' }));
      li.appendChild(el('strong', change.name));
      const move = el('span', null, { class: 'move' });
      move.appendChild(badge(change.from));
      move.appendChild(document.createTextNode(' → '));
      move.appendChild(badge(change.to));
      li.appendChild(move);
      li.appendChild(errorText(change.reason) || el('span'));
      return li;
    }));
    byId('no-changes').hidden = section.changes.length > 0;
  }

  function render(status) {
    renderHeader(status);
    renderRegions(status);
    renderInstances(status);
    renderNamespaces(status);
    renderDuplicateStore(status);
    renderLeader(status);
    renderOutbox(status);
    renderChanges(status);
  }

  function showFreshness(error) {
    const updated = byId('updated');
    if (error) {
      updated.dataset.fresh = 'false';
      updated.textContent = 'no answer from the app server' + (lastSuccess
        ? ' since ' + clock(lastSuccess.toISOString()) : '') + ' (' + error + '); trying again';
    } else {
      updated.dataset.fresh = 'true';
      updated.textContent = 'updated ' + clock(lastSuccess.toISOString()) + ', every '
        + (refreshMs >= 1000 ? refreshMs / 1000 + ' s' : refreshMs + ' ms');
    }
  }

  async function poll() {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(3 * refreshMs, 3000));
    try {
      const answer = await fetch(STATUS_URL, { cache: 'no-store', signal: abort.signal });
      if (!answer.ok) {
        throw new Error('HTTP ' + answer.status);
      }
      const status = await answer.json();
      refreshMs = status.refreshMs || DEFAULT_REFRESH_MS;
      render(status);
      lastSuccess = new Date();
      showFreshness(null);
    } catch (e) {
      showFreshness(e.name === 'AbortError' ? 'timed out' : e.message);
    } finally {
      clearTimeout(timer);
      setTimeout(poll, refreshMs);
    }
  }

  poll();
}());
