import { a11ySuite } from './a11y-pages';

// axe-core on every page on a phone (the 'phone' project's Pixel 7): no serious or critical
// WCAG 2.0/2.1 A or AA problem.
a11ySuite('phone');
