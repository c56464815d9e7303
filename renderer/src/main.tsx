// The renderer's entry: builds the store on the host's API (window.parley) and renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createAppStore } from './store/app-store';
import { StoreProvider } from './store/store-context';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element.');
const root = createRoot(container);

if (window.parley) {
  const store = createAppStore(window.parley);
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
        This page is Parley&rsquo;s window. Open it from the Parley app.
      </p>
    </main>,
  );
}
