/** Version reported by agents in device facts and envelopes. Keep in step with package.json. */
export const AGENT_VERSION = '0.1.0';
