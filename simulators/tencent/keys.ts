/** Obviously fake keys the Tencent Cloud simulators accept in the demo and the benchmarks. */
export const TENCENT_SIMULATOR_KEYS = { secretId: 'AKIDsimulatorOnlyNotASecret', secretKey: 'simulatorOnlyNotASecretKey' };
