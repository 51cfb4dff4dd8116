// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title CareKey consent registry
/// @notice Records a patient's consent grants as hiding commitments. The chain learns only
/// which address granted, until when, and whether the grant was revoked. The terms (grantee,
/// scope, purpose, period, data hash and a random salt) stay off chain; whoever is shown them
/// recomputes the commitment and reads its status here.
/// @dev One storage slot per grant: `validUntil` (64 bits) and `revoked` (8 bits), keyed by the
/// granting patient and the commitment. Keying by the patient makes the caller check of
/// `revoke` implicit and means nobody can occupy a patient's commitment before them.
///
/// Grants and revokes come either from the patient's own transaction (`grant`, `revoke`, for a
/// browser wallet that holds funds) or from anyone relaying an EIP-712 message the patient's
/// per-grant key signed (`grantBySig`, `revokeBySig`): the patient is the signer, so a sponsor
/// can pay the gas without being able to act for the patient. Signatures are EIP-2098 compact
/// (`r`, `vs`), so that no ABI offset, length or `v` word is common to every call.
contract ConsentRegistry {
    /// @notice The terms a grant commits to. Only their hash is ever stored.
    struct GrantTerms {
        address patient;
        /// An address (left-padded to 32 bytes) or the hash of a bearer secret ("whoever holds this QR").
        bytes32 grantee;
        /// Hash of the canonical FHIR Consent provision (which records, which actions).
        bytes32 scopeHash;
        /// HL7 PurposeOfUse code, ASCII, left-aligned (for example "TREAT").
        bytes32 purpose;
        uint64 validFrom;
        uint64 validUntil;
        /// Hash of the shared data (zero when nothing is shared yet).
        bytes32 dataHash;
        /// Random, so that guessable terms cannot be recovered from the commitment.
        bytes32 salt;
    }

    enum Status {
        Unknown,
        Active,
        Revoked,
        Expired,
        /// Recorded, but the terms' validity has not started yet.
        Pending
    }

    struct Grant {
        uint64 validUntil;
        bool revoked;
    }

    mapping(address patient => mapping(bytes32 commitment => Grant)) private grants;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("CareKey Consent Registry");
    bytes32 private constant VERSION_HASH = keccak256("1");
    bytes32 private constant GRANT_TYPEHASH = keccak256("Grant(bytes32 commitment,uint64 validUntil,uint64 deadline)");
    bytes32 private constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 commitment,uint64 deadline)");
    /// Half the order of secp256k1. A signature with a larger `s` is the malleable twin of one
    /// with a smaller `s`; only the lower one is accepted.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    uint256 private constant S_MASK = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF;

    uint256 private immutable deployedChainId;
    bytes32 private immutable deployedDomainSeparator;

    event ConsentGranted(address indexed patient, bytes32 indexed commitment, uint64 validUntil);
    event ConsentRevoked(address indexed patient, bytes32 indexed commitment);

    /// A grant with this commitment was already recorded by this patient.
    error GrantAlreadyRecorded(bytes32 commitment);
    /// The end of validity is not in the future.
    error ValidityEnded(uint64 validUntil);
    /// The commitment is zero.
    error EmptyCommitment();
    /// The caller never recorded a grant with this commitment.
    error UnknownGrant(bytes32 commitment);
    /// The grant was already revoked.
    error GrantAlreadyRevoked(bytes32 commitment);
    /// The batch arrays differ in length or are empty.
    error BatchMismatch();
    /// The signed message's deadline has passed.
    error SignatureExpired(uint64 deadline);
    /// The signature is malformed, malleated (high `s`) or recovers to no address.
    error InvalidSignature();

    constructor() {
        deployedChainId = block.chainid;
        deployedDomainSeparator = _domainSeparator();
    }

    /// @notice Records a grant of the caller, valid until `validUntil` (unix seconds).
    function grant(bytes32 commitment, uint64 validUntil) external {
        _record(msg.sender, commitment, validUntil);
    }

    /// @notice Records several grants of the caller in one transaction.
    function grantBatch(bytes32[] calldata commitments, uint64[] calldata validUntils) external {
        uint256 n = commitments.length;
        if (n == 0 || n != validUntils.length) revert BatchMismatch();
        for (uint256 i; i < n; ) {
            _record(msg.sender, commitments[i], validUntils[i]);
            unchecked {
                ++i;
            }
        }
    }

    /// @notice Revokes one of the caller's grants. A revoked grant can never be active again.
    function revoke(bytes32 commitment) external {
        _revoke(msg.sender, commitment);
    }

    /// @notice Records a grant of whoever signed the EIP-712 message
    /// `Grant(bytes32 commitment,uint64 validUntil,uint64 deadline)`; anyone may submit it
    /// until `deadline` (unix seconds, inclusive). A grant is recorded once per signer and
    /// commitment, so replaying the signature reverts with `GrantAlreadyRecorded`.
    /// @param r The signature's `r`.
    /// @param vs The signature's `s` with the recovery bit in its top bit (EIP-2098).
    function grantBySig(bytes32 commitment, uint64 validUntil, uint64 deadline, bytes32 r, bytes32 vs) external {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(GRANT_TYPEHASH, commitment, validUntil, deadline));
        _record(_signer(structHash, r, vs), commitment, validUntil);
    }

    /// @notice Revokes a grant of whoever signed the EIP-712 message
    /// `Revoke(bytes32 commitment,uint64 deadline)`; anyone may submit it until `deadline`.
    /// The signature names its commitment, and a revoked grant cannot be revoked again, so it
    /// cannot be replayed.
    function revokeBySig(bytes32 commitment, uint64 deadline, bytes32 r, bytes32 vs) external {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(REVOKE_TYPEHASH, commitment, deadline));
        _revoke(_signer(structHash, r, vs), commitment);
    }

    /// @notice The EIP-712 domain separator of `grantBySig` and `revokeBySig`: name "CareKey
    /// Consent Registry", version "1", this chain's id and this contract's address.
    function domainSeparator() public view returns (bytes32) {
        return block.chainid == deployedChainId ? deployedDomainSeparator : _domainSeparator();
    }

    /// @notice The commitment for the given terms on this chain and this registry.
    function commitmentOf(GrantTerms calldata t) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), t));
    }

    /// @notice Status of the grant with these terms: Unknown, Active, Revoked, Expired or Pending.
    /// @dev For other contracts. Calling it through someone else's RPC node shows that node the
    /// whole terms (grantee, purpose, salt); off-chain verifiers compute the commitment
    /// themselves and call `statusOfGrant`, which sends only the commitment and the period.
    function statusOf(GrantTerms calldata t) external view returns (Status) {
        return statusOfGrant(t.patient, commitmentOf(t), t.validFrom, t.validUntil);
    }

    /// @notice Status of the grant whose terms hash to `commitment` and state this period.
    /// @dev A grant whose recorded end of validity differs from `validUntil` is Unknown: terms
    /// that claim a longer validity than was recorded are not the terms that were granted.
    function statusOfGrant(address patient, bytes32 commitment, uint64 validFrom, uint64 validUntil)
        public
        view
        returns (Status)
    {
        (Status status, uint64 recordedUntil) = statusOfCommitment(patient, commitment);
        if (recordedUntil != validUntil) return Status.Unknown;
        if (status == Status.Active && block.timestamp < validFrom) return Status.Pending;
        return status;
    }

    /// @notice Status and recorded end of validity of a commitment, for a patient's own list.
    function statusOfCommitment(address patient, bytes32 commitment)
        public
        view
        returns (Status status, uint64 validUntil)
    {
        Grant memory g = grants[patient][commitment];
        validUntil = g.validUntil;
        if (validUntil == 0) status = Status.Unknown;
        else if (g.revoked) status = Status.Revoked;
        else if (block.timestamp >= validUntil) status = Status.Expired;
        else status = Status.Active;
    }

    function _record(address patient, bytes32 commitment, uint64 validUntil) private {
        if (commitment == bytes32(0)) revert EmptyCommitment();
        if (validUntil <= block.timestamp) revert ValidityEnded(validUntil);
        Grant storage g = grants[patient][commitment];
        if (g.validUntil != 0) revert GrantAlreadyRecorded(commitment);
        g.validUntil = validUntil;
        emit ConsentGranted(patient, commitment, validUntil);
    }

    function _revoke(address patient, bytes32 commitment) private {
        Grant storage g = grants[patient][commitment];
        if (g.validUntil == 0) revert UnknownGrant(commitment);
        if (g.revoked) revert GrantAlreadyRevoked(commitment);
        g.revoked = true;
        emit ConsentRevoked(patient, commitment);
    }

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// The address that signed the EIP-712 digest of `structHash` with the compact signature
    /// (`r`, `vs`). Calls the ecrecover precompile (address 1) directly. Reverts with
    /// `InvalidSignature` for a high `s` (the malleable twin of a valid signature) and for a
    /// signature that recovers to no address.
    function _signer(bytes32 structHash, bytes32 r, bytes32 vs) private view returns (address signer) {
        bytes32 separator = domainSeparator();
        uint256 s = uint256(vs) & S_MASK;
        if (s > HALF_CURVE_ORDER) revert InvalidSignature();
        assembly ("memory-safe") {
            let m := mload(0x40)
            // digest = keccak256("\x19\x01" ‖ domainSeparator ‖ structHash)
            mstore(m, 0x1901000000000000000000000000000000000000000000000000000000000000)
            mstore(add(m, 0x02), separator)
            mstore(add(m, 0x22), structHash)
            let digest := keccak256(m, 0x42)
            // ecrecover(digest, v, r, s) with v = 27 + the top bit of vs.
            mstore(m, digest)
            mstore(add(m, 0x20), add(27, shr(255, vs)))
            mstore(add(m, 0x40), r)
            mstore(add(m, 0x60), s)
            // On failure or an invalid signature the precompile returns nothing: 0x00 stays zero.
            mstore(0x00, 0)
            pop(staticcall(gas(), 0x01, m, 0x80, 0x00, 0x20))
            signer := mload(0x00)
        }
        if (signer == address(0)) revert InvalidSignature();
    }
}
