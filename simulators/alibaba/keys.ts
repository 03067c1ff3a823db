/** Obviously fake keys the simulators accept by default (demo, bench). */
export const ALIBABA_SIMULATOR_KEYS = { accessKeyId: 'LTAIsimulatorFakeKeyId01', accessKeySecret: 'simulator-fake-access-key-secret-01' };
