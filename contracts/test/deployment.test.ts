import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseDeploymentFile, withDeployment, type DeploymentFile } from '../deployment.ts'

const localText = readFileSync(new URL('../deployments/local.json', import.meta.url), 'utf8')
const fromFile = (file: DeploymentFile) => () => file

describe('deployment files', () => {
  it('hold the credential and prescription registries with their blocks and issuers (local.json)', () => {
    const local = parseDeploymentFile(localText, 'local.json')
    expect(local).toMatchObject({
      credentialRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      credentialRegistryBlock: 2,
      credentialIssuers: ['0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f'],
      prescriptionRegistry: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
      prescriptionRegistryBlock: 3,
    })
  })

  it('fill the CAREKEY_* variables of both registries, and refuse a variable that disagrees', () => {
    const local = parseDeploymentFile(localText, 'local.json')
    const env = withDeployment({ CAREKEY_DEPLOYMENT: 'local.json', CAREKEY_CREDENTIAL_REGISTRY: local.credentialRegistry?.toLowerCase() }, fromFile(local))
    expect(env).toMatchObject({
      CAREKEY_CREDENTIAL_REGISTRY: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      CAREKEY_CREDENTIAL_REGISTRY_BLOCK: '2',
      CAREKEY_PRESCRIPTION_REGISTRY: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
      CAREKEY_PRESCRIPTION_REGISTRY_BLOCK: '3',
    })
    expect(() => withDeployment({ CAREKEY_DEPLOYMENT: 'local.json', CAREKEY_PRESCRIPTION_REGISTRY: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }, fromFile(local))).toThrow(
      /disagrees with CAREKEY_PRESCRIPTION_REGISTRY/,
    )
  })

  it('written before these registries existed, still parse, and set none of their variables', () => {
    const old = parseDeploymentFile('{"chainId":84532,"consentRegistry":"0x5FbDB2315678afecb367f032d93F642f64180aa3","deployBlock":7}', 'old.json')
    const env = withDeployment({ CAREKEY_DEPLOYMENT: 'old.json' }, fromFile(old))
    expect(Object.keys(env).sort()).toEqual(['CAREKEY_CHAIN_ID', 'CAREKEY_CONSENT_REGISTRY', 'CAREKEY_CONSENT_REGISTRY_BLOCK', 'CAREKEY_DEPLOYMENT'])
  })

  it('refuse a registry without its block, and prescriptions without credentials', () => {
    const base = { chainId: 1, consentRegistry: '0x5FbDB2315678afecb367f032d93F642f64180aa3', deployBlock: 1 }
    expect(() => parseDeploymentFile(JSON.stringify({ ...base, credentialRegistry: base.consentRegistry }), 'x.json')).toThrow(/credentialRegistryBlock: credentialRegistry and credentialRegistryBlock go together/)
    expect(() => parseDeploymentFile(JSON.stringify({ ...base, prescriptionRegistry: base.consentRegistry, prescriptionRegistryBlock: 3 }), 'x.json')).toThrow(
      /a prescriptionRegistry needs its credentialRegistry/,
    )
  })
})
