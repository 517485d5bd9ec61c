import { translate } from './i18n.js';

translate();
