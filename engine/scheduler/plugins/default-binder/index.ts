import { SUCCESS, type BindPlugin, type PluginFactory, type Status } from '../../framework/index.js';

/** Plugin name. */
export const NAME = 'DefaultBinder';

/**
 * Binds a pod to its node. In kreplay the integrator writes the binding through the store (and calls
 * `Scheduler.addPod`), so the plugin only marks the bind point as handled.
 */
export class DefaultBinder implements BindPlugin {
  readonly name = NAME;
  bind(): Status {
    return SUCCESS;
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['bind'],
  create: () => new DefaultBinder(),
};
