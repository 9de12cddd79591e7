/**
 * chain: the listed middlewares, in order, as one middleware. They are the built middlewares the
 * compiler hands over (`ctx.middleware`), so a chain shares their state; a missing or disabled
 * name, or a reference loop (`a -> b -> a`), throws here and disables the chain with that reason.
 */
import type { ChainOptions } from '../../config/dynamic/schema/middlewares/chain.js';
import type { Handler, Middleware } from '../../exchange/exchange.js';
import type { BuildContext, MiddlewareFactory } from '../registry.js';

export const chain: MiddlewareFactory<'chain'> = {
  kind: 'chain',
  create(options: ChainOptions, ctx: BuildContext): Middleware {
    const parts = options.middlewares.map((ref) => ctx.middleware(ref));
    return (next: Handler): Handler => {
      let h = next;
      for (let i = parts.length - 1; i >= 0; i--) h = (parts[i] as Middleware)(h);
      return h;
    };
  },
};
