import type { Scenario } from '../scenario';
import { discount } from './discount';
import { express } from './express';
import { feeConcat } from './fees';
import { heldOut } from './heldout';
import { referral } from './referral';
import { reorder } from './reorder';
import { screeningFlag } from './screening';
import { shippingCountry } from './shipping';
import { taxRates } from './tax';
import { throttleUnits } from './throttle';
import { trading } from './trading';
import { withdrawal } from './withdrawal';

/** The scenarios the investigator was developed against (in-sample), in a fixed order. */
export const developed: readonly Scenario[] = [trading, discount, reorder, feeConcat, express, screeningFlag, referral, throttleUnits, withdrawal, shippingCountry, taxRates];

/** Every scenario: the developed ones, then the held-out ones (written after the heuristics were frozen). */
export const scenarios: readonly Scenario[] = [...developed, ...heldOut];
export { heldOut };
