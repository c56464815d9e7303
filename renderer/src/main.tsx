// The renderer's entry: builds the store on the host's API (window.parley in the desktop app,
// the web bridge when served by `parley serve --ui`) and renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { hostApi } from './bridge/host-api';
import { createAppStore } from './store/app-store';
import { StoreProvider } from './store/store-context';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
const root = createRoot(container);

const api = hostApi(window);
if (api) {
  const store = createAppStore(api);
  root.render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
} else {
  root.render(
    <main className="app">
      <p className="notice" role="alert">
        This page is Parley&rsquo;s window. Open it from the Parley app, or open the address that{' '}
        <code>parley serve --ui</code> printed (it carries the access key).
      </p>
    </main>,
  );
}
