/* lapor-gateway GraphQL playground: GraphiQL 3 plus a demo-identity picker and examples.
 *
 * Reads its configuration from <script id="playground-config" type="application/json">:
 *   {"endpoint": "/graphql", "demoTokensUrl": "/graphql/demo-tokens",
 *    "examples": [{"title": ..., "query": ..., "variables": "{...}" | null}]}
 * GET demoTokensUrl answers [{"label": ..., "token": ... | null}] in demo mode and 404
 * otherwise; without demo tokens no picker is shown and requests carry whatever the
 * headers editor says.
 */
(function () {
  'use strict';

  var h = React.createElement;
  var config = JSON.parse(document.getElementById('playground-config').textContent);
  var examples = Array.isArray(config.examples) ? config.examples : [];
  var TOKEN_KEY = 'lapor-gateway:playground:demo-identity';
  var TABS_KEY = 'graphiql:tabState';

  function storageGet(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function storageSet(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* private mode or storage disabled: the choice just is not remembered */
    }
  }

  /* No stored tabs: GraphiQL opens the examples as its default tabs. */
  var FIRST_VISIT = storageGet(TABS_KEY) === null;

  function isDemoToken(entry) {
    return (
      entry !== null &&
      typeof entry === 'object' &&
      typeof entry.label === 'string' &&
      (entry.token === null || typeof entry.token === 'string')
    );
  }

  /* Resolves to the demo identities, or null when the gateway is not in demo mode. */
  function loadDemoTokens() {
    return window
      .fetch(config.demoTokensUrl, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      })
      .then(function (response) {
        if (response.status === 404) return null;
        if (!response.ok) throw new Error('demo tokens: HTTP ' + response.status);
        return response.json();
      })
      .then(function (body) {
        if (body === null) return null;
        if (!Array.isArray(body) || !body.every(isDemoToken) || body.length === 0) {
          throw new Error('demo tokens: unexpected answer');
        }
        return body;
      })
      .catch(function (error) {
        console.warn('playground: no demo identities', error);
        return null;
      });
  }

  function makeFetcher(token) {
    var headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    return GraphiQL.createFetcher({
      url: config.endpoint,
      headers: headers,
      enableIncrementalDelivery: false,
    });
  }

  function IdentityPicker(props) {
    return h(
      'label',
      { className: 'pg-identity', title: 'Requests carry this demo token as Authorization: Bearer …' },
      h('span', { className: 'pg-muted' }, 'Demo identity'),
      h(
        'select',
        {
          id: 'pg-identity-select',
          value: String(props.selected),
          onChange: function (event) {
            props.onSelect(Number(event.target.value));
          },
        },
        props.tokens.map(function (entry, index) {
          return h('option', { key: entry.label, value: String(index) }, entry.label);
        })
      )
    );
  }

  function ExamplesIcon() {
    return h(
      'svg',
      { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': 'true' },
      h('path', { d: 'M5 4h11l3 3v13H5z', strokeLinejoin: 'round' }),
      h('path', { d: 'M8 10h8M8 13.5h8M8 17h5', strokeLinecap: 'round' })
    );
  }

  function ExamplesPanel() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true, caller: ExamplesPanel });
    function open(example) {
      editor.addTab();
      /* addTab fills the new tab's editors with the default query once React has
         applied the state update; write the example afterwards. */
      window.setTimeout(function () {
        if (editor.queryEditor) editor.queryEditor.setValue(example.query);
        if (editor.variableEditor) editor.variableEditor.setValue(example.variables || '');
      }, 0);
    }
    return h(
      'div',
      { className: 'pg-examples' },
      h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
      h('p', { className: 'pg-muted' }, 'Each opens in a new tab.'),
      h(
        'ul',
        null,
        examples.map(function (example) {
          return h(
            'li',
            { key: example.title },
            h(
              'button',
              {
                type: 'button',
                className: 'pg-example',
                onClick: function () {
                  open(example);
                },
              },
              example.title
            )
          );
        })
      )
    );
  }

  /* GraphiQL 3 fills the variables editor of the first default tab from its `variables`
     prop rather than from defaultTabs, and on the next visit opens a duplicate tab because
     the stored variables differ from the tab's. On a first visit, put the tab's variables in
     the editor (once GraphiQL listens to it, so that they are stored like an edit). */
  function FirstTabVariables() {
    var editor = GraphiQL.React.useEditorContext({ nonNull: true, caller: FirstTabVariables });
    var done = React.useRef(false);
    var variableEditor = editor.variableEditor;
    var tab = editor.tabs[editor.activeTabIndex];
    var variables = tab && editor.activeTabIndex === 0 ? tab.variables : null;
    React.useEffect(
      function () {
        if (done.current || !FIRST_VISIT || !variableEditor) return;
        done.current = true;
        if (!variables) return;
        window.setTimeout(function () {
          if (!variableEditor.getValue()) variableEditor.setValue(variables);
        }, 0);
      },
      [variableEditor, variables]
    );
    return null;
  }

  var TOOLBAR = { additionalComponent: FirstTabVariables };
  var EXAMPLES_PLUGIN = { title: 'Examples', icon: ExamplesIcon, content: ExamplesPanel };
  var PLUGINS = [EXAMPLES_PLUGIN];
  var DEFAULT_TABS = examples.map(function (example) {
    return { query: example.query, variables: example.variables };
  });

  function initialSelection(tokens) {
    if (!tokens) return 0;
    var remembered = storageGet(TOKEN_KEY);
    for (var i = 0; i < tokens.length; i++) {
      if (tokens[i].label === remembered) return i;
    }
    return 0;
  }

  function Playground(props) {
    var tokens = props.tokens;
    var state = React.useState(function () {
      return initialSelection(tokens);
    });
    var selected = state[0];
    var setSelected = state[1];
    var token = tokens ? tokens[selected].token : null;
    var fetcher = React.useMemo(
      function () {
        return makeFetcher(token);
      },
      [token]
    );

    function select(index) {
      storageSet(TOKEN_KEY, tokens[index].label);
      setSelected(index);
    }

    return h(
      React.Fragment,
      null,
      h(
        'header',
        { id: 'pg-toolbar' },
        h(
          'span',
          { className: 'pg-brand' },
          'LAPOR! gateway ',
          h('span', { className: 'pg-muted' }, 'GraphQL playground')
        ),
        tokens
          ? h(IdentityPicker, { tokens: tokens, selected: selected, onSelect: select })
          : h(
              'span',
              { className: 'pg-muted pg-hint' },
              'To authenticate, add an Authorization header in the Headers tab below.'
            )
      ),
      h(
        'main',
        { id: 'graphiql' },
        h(GraphiQL, {
          fetcher: fetcher,
          defaultTabs: DEFAULT_TABS.length ? DEFAULT_TABS : undefined,
          plugins: PLUGINS,
          toolbar: TOOLBAR,
          visiblePlugin: FIRST_VISIT && examples.length ? EXAMPLES_PLUGIN : undefined,
          defaultEditorToolsVisibility: true,
          shouldPersistHeaders: false,
        })
      )
    );
  }

  loadDemoTokens().then(function (tokens) {
    var root = ReactDOM.createRoot(document.getElementById('playground'));
    root.render(h(Playground, { tokens: tokens }));
  });
})();
