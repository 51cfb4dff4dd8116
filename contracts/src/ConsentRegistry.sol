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

    /// @notice Records a grant of the caller, valid until `validUntil` (unix seconds).
    function grant(bytes32 commitment, uint64 validUntil) external {
        _record(commitment, validUntil);
    }

    /// @notice Records several grants of the caller in one transaction.
    function grantBatch(bytes32[] calldata commitments, uint64[] calldata validUntils) external {
        uint256 n = commitments.length;
        if (n == 0 || n != validUntils.length) revert BatchMismatch();
        for (uint256 i; i < n; ) {
            _record(commitments[i], validUntils[i]);
            unchecked {
                ++i;
            }
        }
    }

    /// @notice Revokes one of the caller's grants. A revoked grant can never be active again.
    function revoke(bytes32 commitment) external {
        Grant storage g = grants[msg.sender][commitment];
        if (g.validUntil == 0) revert UnknownGrant(commitment);
        if (g.revoked) revert GrantAlreadyRevoked(commitment);
        g.revoked = true;
        emit ConsentRevoked(msg.sender, commitment);
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

    function _record(bytes32 commitment, uint64 validUntil) private {
        if (commitment == bytes32(0)) revert EmptyCommitment();
        if (validUntil <= block.timestamp) revert ValidityEnded(validUntil);
        Grant storage g = grants[msg.sender][commitment];
        if (g.validUntil != 0) revert GrantAlreadyRecorded(commitment);
        g.validUntil = validUntil;
        emit ConsentGranted(msg.sender, commitment, validUntil);
    }
}
