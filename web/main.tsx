import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { App } from './app.tsx';

const root = document.getElementById('app')!;
// The static "Loading…" line: Preact renders next to what is there, not over it.
root.replaceChildren();
render(<App />, root);
